package io.vipkeeper.ledger;

import io.vipkeeper.membership.Quorum;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.pekko.actor.ActorPath;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * A member's first epoch ledger by its path, which is the same on every node, before the
 * receptionist lists it: its gossip lists a member that joined moments ago ~0.5 s later, and
 * after a heal later still. Meanwhile a holder counted that member as a voter that never answered
 * (a holder left alone after a heal lost its lease when the others rejoined), and a starting
 * ledger waited a second more to catch up. Asked directly, a catching-up ledger abstains from a
 * lease round (it then promises nothing for two lease durations), as a listed one does, and a
 * recovered one tells what it promised. A member still unlisted after {@link #GRACE} runs no
 * ledger there (an observer whose journal failed): it is no longer asked, and counts as silent.
 */
public final class LedgerPaths {

  public static final Duration GRACE = Duration.ofSeconds(10);

  private record Asked(ActorRef<EpochLedger.Command> ledger, long sinceNanos) {}

  private final ActorRefResolver resolver;
  private final String path;
  private final Map<Quorum.Voter, Asked> unlisted = new HashMap<>();

  public LedgerPaths(ActorSystem<?> system, ActorPath localLedger) {
    this.resolver = ActorRefResolver.get(system);
    this.path = localLedger.toStringWithoutAddress();
  }

  /**
   * The ledgers of the {@code voters} whose address is not in {@code listed}, each while its grace
   * lasts; the voters listed again are forgotten, so one unlisted later starts a fresh grace.
   */
  public List<ActorRef<EpochLedger.Command>> ledgersOfUnlisted(Set<String> listed, List<Quorum.Voter> voters) {
    List<Quorum.Voter> notListed = voters.stream().filter(v -> !listed.contains(v.address())).toList();
    retain(notListed);
    long now = System.nanoTime();
    List<ActorRef<EpochLedger.Command>> ledgers = new ArrayList<>();
    for (Quorum.Voter voter : notListed) of(voter, now).ifPresent(ledgers::add);
    return ledgers;
  }

  /** The ledger of {@code voter}, not listed here, while the grace since it was first asked lasts. */
  Optional<ActorRef<EpochLedger.Command>> of(Quorum.Voter voter, long nowNanos) {
    Asked asked = unlisted.computeIfAbsent(voter, v -> new Asked(resolver.resolveActorRef(v.address() + path), nowNanos));
    return nowNanos - asked.sinceNanos() < GRACE.toNanos() ? Optional.of(asked.ledger()) : Optional.empty();
  }

  /** Forgets every voter but {@code kept} (the unlisted ones now). */
  void retain(List<Quorum.Voter> kept) {
    unlisted.keySet().retainAll(kept);
  }
}
