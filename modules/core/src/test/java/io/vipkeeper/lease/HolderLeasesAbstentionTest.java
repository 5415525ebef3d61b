package io.vipkeeper.lease;

import static org.junit.jupiter.api.Assertions.*;

import io.vipkeeper.config.VipKeeperSettings;
import io.vipkeeper.ledger.EpochLedger;
import io.vipkeeper.membership.Quorum;
import io.vipkeeper.testing.ClusterKits;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two members, the holder on the one with the higher address, so that its own grant alone is not a
 * surviving set of two (the resolver keeps the lowest address in a tie). A round the other ledger
 * abstained from (it has not caught up: it promises nothing for a while) counts without it; a round
 * it merely did not answer does not.
 */
class HolderLeasesAbstentionTest {

  @RegisterExtension
  final ClusterKits kits = new ClusterKits();

  @Test
  void aRoundTheOtherLedgerAbstainedFromCountsWithoutItOneItDidNotAnswerDoesNot() {
    List<ActorTestKit> two = kits.up("vka", 2);
    ActorTestKit holder = two.get(1);
    AtomicBoolean otherAbstains = new AtomicBoolean(true);
    recoveredLedger(holder, "own", () -> Optional.of(false));
    recoveredLedger(two.get(0), "other", () -> otherAbstains.get() ? Optional.of(true) : Optional.empty());
    TestProbe<HolderLeases.Notice> notices = holder.createTestProbe();
    VipKeeperSettings settings = VipKeeperSettings.create(holder.system().settings().config());
    ActorRef<HolderLeases.Command> leases = holder.spawn(
        HolderLeases.create(settings.lease(), Quorum.of(holder.system().settings().config()), notices.ref()));
    leases.tell(new HolderLeases.Hold("web", 1, null));
    notices.expectMessageClass(HolderLeases.LeaseHeld.class, Duration.ofSeconds(10));

    otherAbstains.set(false); // now silent: the holder's own grants make no surviving set of two
    HolderLeases.LeaseLost lost = notices.fishForMessage(settings.lease().duration().multipliedBy(4),
        n -> n instanceof HolderLeases.LeaseLost ? FishingOutcomes.complete() : FishingOutcomes.continueAndIgnore()).stream()
        .map(HolderLeases.LeaseLost.class::cast).reduce((a, b) -> b).orElseThrow();
    assertTrue(lost.why().contains("no surviving set"), lost.why());
  }

  /**
   * A member that joined moments ago is listed by the receptionist only later; meanwhile the holder
   * asks its ledger at the path every node spawns it at. Its abstention (it is catching up) then
   * counts as a listed ledger's does, and the holder (the higher address) holds with its own grant.
   */
  @Test
  void aMembersLedgerNotListedYetIsAskedAtItsPathAndItsAbstentionCounts() {
    List<ActorTestKit> two = kits.up("vka", 2);
    ActorTestKit holder = two.get(1);
    recoveredLedger(holder, "own", () -> Optional.of(false));
    List<EpochLedger.Renew> asked = new java.util.concurrent.CopyOnWriteArrayList<>();
    two.get(0).spawn(Behaviors.setup(c -> {
      c.spawn(ledger("other", () -> Optional.of(true), asked), "ledger");
      return Behaviors.empty();
    }), "iface");
    TestProbe<HolderLeases.Notice> notices = holder.createTestProbe();
    VipKeeperSettings settings = VipKeeperSettings.create(holder.system().settings().config());
    holder.spawn(Behaviors.setup(c -> {
      c.spawn(HolderLeases.create(settings.lease(), Quorum.of(holder.system().settings().config()), notices.ref()), "leases")
          .tell(new HolderLeases.Hold("web", 1, null));
      return Behaviors.empty();
    }), "iface");
    notices.expectMessageClass(HolderLeases.LeaseHeld.class, Duration.ofSeconds(10));
    assertFalse(asked.isEmpty(), "the unlisted ledger was asked");
  }

  /**
   * A ledger that answers every renewal: {@code abstains} empty: silent; true: abstains; false:
   * grants every group asked for.
   */
  private static org.apache.pekko.actor.typed.Behavior<EpochLedger.Command> ledger(String name,
      Supplier<Optional<Boolean>> abstains, List<EpochLedger.Renew> asked) {
    return Behaviors.receiveMessage(m -> {
      if (m instanceof EpochLedger.Renew renew) {
        asked.add(renew);
        abstains.get().ifPresent(a -> renew.replyTo().tell(
            new EpochLedger.Renewed(name, a ? List.of() : List.copyOf(renew.epochs().keySet()), Map.of(), a)));
      }
      return Behaviors.same();
    });
  }

  private static void recoveredLedger(ActorTestKit kit, String name, Supplier<Optional<Boolean>> abstains) {
    ActorRef<EpochLedger.Command> ledger = kit.spawn(ledger(name, abstains, new ArrayList<>()));
    TestProbe<Receptionist.Registered> registered = kit.createTestProbe();
    kit.system().receptionist().tell(Receptionist.register(EpochLedger.RECOVERED, ledger, registered.ref()));
    registered.receiveMessage();
  }

}
