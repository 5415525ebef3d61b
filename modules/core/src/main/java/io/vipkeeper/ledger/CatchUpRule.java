package io.vipkeeper.ledger;

import io.vipkeeper.membership.Members;
import io.vipkeeper.membership.Quorum;
import java.util.List;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;

/**
 * When a starting ledger has heard from enough of the others to be listed: a set of the other
 * members that would survive a split, by the resolver's rule (or nobody else is a member yet).
 * The catch-up starts only once this node is Up: before it has joined it sees no members at all,
 * and a restarted node would count that as "nobody else" and vote on what it alone remembers.
 * Without a cluster (a local ActorSystem in tests) a ledger is listed at once.
 */
interface CatchUpRule {

  boolean enough(Set<String> answeredAddresses);

  String addressOf(ActorRef<?> ledger);

  /** The voters other than this node (none without a cluster). */
  List<Quorum.Voter> otherVoters();

  /** Runs {@code then} once this node is Up (at once if it is, or without a cluster), on Pekko's thread. */
  void whenUp(Runnable then);

  static CatchUpRule of(ActorSystem<?> system) {
    if (!system.settings().config().getString("pekko.actor.provider").equals("cluster")) {
      return new CatchUpRule() {
        public boolean enough(Set<String> answered) {
          return true;
        }

        public String addressOf(ActorRef<?> ledger) {
          return ledger.path().address().toString();
        }

        public List<Quorum.Voter> otherVoters() {
          return List.of();
        }

        public void whenUp(Runnable then) {
          then.run();
        }
      };
    }
    Members members = new Members(system);
    Quorum quorum = Quorum.of(system.settings().config());
    return new CatchUpRule() {
      public boolean enough(Set<String> answered) {
        var others = otherVoters();
        return others.isEmpty() || quorum.survives(answered, others);
      }

      public List<Quorum.Voter> otherVoters() {
        return members.voters().stream().filter(v -> !v.address().equals(members.selfAddress())).toList();
      }

      public String addressOf(ActorRef<?> ledger) {
        return members.addressOf(ledger);
      }

      public void whenUp(Runnable then) {
        org.apache.pekko.cluster.Cluster.get(Adapter.toClassic(system)).registerOnMemberUp(then);
      }
    };
  }
}
