package io.vipkeeper;

import io.vipkeeper.decider.Decider;
import io.vipkeeper.holder.InterfaceActor;
import io.vipkeeper.ledger.EpochLedger;
import io.vipkeeper.model.NodeIdentity;
import io.vipkeeper.model.VipAddress;
import io.vipkeeper.model.VipGroup;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.Serializers;

/**
 * The first time a JVM writes or reads a message class, Jackson builds that class's serializer:
 * 15-160 ms each on C1 (measured), which the first planned move after a start paid in the clients'
 * gap, on the decider's, the holder's and the target's node alike. Once the node has started, one
 * sample of each message a move sends between nodes makes that round trip here, off the path.
 */
public final class WireWarmup {

  private WireWarmup() {}

  /** After {@code after} (zero: never), on the blocking dispatcher: start-up keeps the CPU. */
  static void schedule(ActorSystem<?> system, Duration after) {
    if (after.isZero()) return;
    system.scheduler().scheduleOnce(after, () -> {
      List<String> failed = roundTrips(system).entrySet().stream().filter(e -> !e.getValue()).map(Map.Entry::getKey).toList();
      if (!failed.isEmpty()) system.log().warn("messages that did not survive serialization: {}", failed);
    }, system.dispatchers().lookup(DispatcherSelector.blocking()));
  }

  /** Each sample's class → whether it came back equal to what was written. */
  public static Map<String, Boolean> roundTrips(ActorSystem<?> system) {
    Serialization serialization = SerializationExtension.get(system.classicSystem());
    Map<String, Boolean> result = new TreeMap<>();
    for (Object sample : samples(system)) {
      String name = sample.getClass().getName();
      try {
        Serializer serializer = serialization.findSerializerFor(sample);
        byte[] bytes = serialization.serialize(sample).get();
        Object back = serialization.deserialize(bytes, serializer.identifier(), Serializers.manifestFor(serializer, sample)).get();
        result.put(name, sample.equals(back));
      } catch (Exception e) {
        result.put(name, false);
      }
    }
    return result;
  }

  /** The messages of a move, planned or not: survey, promise, lease, release, claim, vacate. */
  static List<Object> samples(ActorSystem<?> system) {
    ActorRef<Object> ref = system.deadLetters();
    NodeIdentity node = new NodeIdentity("warmup", "pekko://warmup@127.0.0.1:1");
    VipGroup group = new VipGroup("warmup", List.of(VipAddress.parse("198.18.0.1/24")));
    return List.of(
        new Decider.Vacate(node.address(), ref.narrow()),
        new Decider.MoveTo(node.address(), Decider.MoveReason.OPERATOR),
        new InterfaceActor.QueryHoldings(ref.narrow()),
        new InterfaceActor.Holdings(node, Map.of("warmup", 1L), Map.of("warmup", 1L), true, 1.0, Map.of("warmup", 1L), ""),
        new InterfaceActor.Prepare("warmup", 1, ref.narrow()),
        new InterfaceActor.PrepareLapsed("warmup", 1),
        new InterfaceActor.Claim(group, 1, ref.narrow(), ref.narrow()),
        new InterfaceActor.ClaimResult("warmup", 1, node, true, ""),
        new InterfaceActor.Release("warmup", "warmup", ref.narrow(),
            new InterfaceActor.HandOff(ref.narrow(), new InterfaceActor.Claim(group, 1, ref.narrow(), ref.narrow())), 1),
        new InterfaceActor.ReleaseDue("warmup"),
        new InterfaceActor.ReleaseResult("warmup", node, true, "", true),
        new EpochLedger.Promise("warmup", 1, node.address(), ref.narrow()),
        new EpochLedger.PromiseResult("warmup", 1, "warmup", true, 1, 0),
        new EpochLedger.Renew(Map.of("warmup", 1L), 1, node.address(), java.util.Set.of("warmup"), ref.narrow()),
        new EpochLedger.Renewed("warmup", List.of("warmup"), Map.of("other", 2L), false),
        new EpochLedger.Renounce("warmup", 1),
        new EpochLedger.GetBacking("warmup", 1, ref.narrow()),
        new EpochLedger.Backing("warmup", 1));
  }
}
