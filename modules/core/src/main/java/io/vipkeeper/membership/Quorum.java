package io.vipkeeper.membership;

import com.typesafe.config.Config;
import io.vipkeeper.config.SettingsException;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/**
 * Which side of a split keeps the VIPs, by the same rule the Split Brain Resolver uses to choose
 * the side that stays up (as Pekko's DowningStrategy decides apart from the resolver). Two
 * disjoint sides never both survive, so a side that does not survive must release, and an epoch
 * promised by a surviving set cannot be promised to another.
 */
public final class Quorum {

  /** A cluster member as the rule needs it: its address and its age (lower up-number = older). */
  public record Voter(String address, int upNumber) {}

  public enum Strategy { KEEP_MAJORITY, STATIC_QUORUM, KEEP_OLDEST, DOWN_ALL }

  private final Strategy strategy;
  private final int quorumSize;

  public Quorum(Strategy strategy, int quorumSize) {
    this.strategy = strategy;
    this.quorumSize = quorumSize;
  }

  /** Reads the resolver's strategy; one that vipkeeper cannot follow is refused by name. */
  public static Quorum of(Config config) {
    Config sbr = config.getConfig("pekko.cluster.split-brain-resolver");
    String name = sbr.getString("active-strategy");
    return switch (name) {
      case "keep-majority" -> new Quorum(Strategy.KEEP_MAJORITY, 0);
      case "static-quorum" -> new Quorum(Strategy.STATIC_QUORUM, sbr.getInt("static-quorum.quorum-size"));
      case "keep-oldest" -> new Quorum(Strategy.KEEP_OLDEST, 0);
      case "down-all" -> new Quorum(Strategy.DOWN_ALL, 0);
      default -> throw new SettingsException(List.of("pekko.cluster.split-brain-resolver.active-strategy: '" + name
          + "' is not supported by vipkeeper; allowed: keep-majority (default), static-quorum, keep-oldest, down-all"));
    };
  }

  public Strategy strategy() {
    return strategy;
  }

  /** Whether {@code side} (addresses) would stay up if the cluster split from {@code members}. */
  public boolean survives(Collection<String> side, List<Voter> members) {
    long in = members.stream().filter(m -> side.contains(m.address())).count();
    int total = members.size();
    if (total == 0) return false;
    return switch (strategy) {
      case KEEP_MAJORITY -> in * 2 > total || (in * 2 == total && side.contains(lowestAddress(members)));
      // As the resolver: more members than 2 × quorum-size - 1 and nobody stays up (two sets of
      // quorum-size could then miss each other).
      case STATIC_QUORUM -> total <= quorumSize * 2 - 1 && in >= quorumSize;
      case KEEP_OLDEST -> side.contains(oldest(members));
      case DOWN_ALL -> in == total;
    };
  }

  private static String lowestAddress(List<Voter> members) {
    return members.stream().map(Voter::address).min(Comparator.naturalOrder()).orElseThrow();
  }

  private static String oldest(List<Voter> members) {
    return members.stream().min(Comparator.comparingInt(Voter::upNumber).thenComparing(Voter::address)).orElseThrow().address();
  }
}
