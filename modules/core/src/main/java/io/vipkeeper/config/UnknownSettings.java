package io.vipkeeper.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * A {@code vipkeeper.*} setting that vipkeeper does not know is a typo until shown otherwise: a
 * node that silently ignored {@code vipkeeper.intrface} would use eth0. Each is named with the
 * closest known setting. Blocks whose keys are the user's own (groups, timing profiles, the
 * catalog's replicator, dispatchers) are not checked inside.
 */
public final class UnknownSettings {

  private static final List<String> OPEN = List.of("vipkeeper.groups", "vipkeeper.timing-profiles", "vipkeeper.catalog.replicator");

  private UnknownSettings() {}

  /** One line per unknown setting in {@code user}, judged against {@code known} (the reference settings). */
  public static List<String> problems(Config user, Config known) {
    if (!user.root().containsKey("vipkeeper") || !(user.root().get("vipkeeper") instanceof ConfigObject vipkeeper)) return List.of();
    Set<String> knownPaths = new TreeSet<>();
    if (known.root().get("vipkeeper") instanceof ConfigObject k) collect("vipkeeper", k, knownPaths);
    Set<String> userPaths = new TreeSet<>();
    collect("vipkeeper", vipkeeper, userPaths);
    List<String> problems = new ArrayList<>();
    for (String path : userPaths) {
      if (knownPaths.contains(path) || open(path) || underKnownLeaf(path, knownPaths)) continue;
      problems.add("unknown setting " + path + closest(path, knownPaths).map(c -> " (did you mean " + c + "?)").orElse("")
          + ": see reference.conf for the settings vipkeeper reads");
    }
    return problems;
  }

  private static void collect(String prefix, ConfigObject object, Set<String> into) {
    for (Map.Entry<String, ConfigValue> e : object.entrySet()) {
      String path = prefix + "." + ConfigUtil.joinPath(e.getKey());
      if (open(path) || !(e.getValue() instanceof ConfigObject child)) into.add(path);
      else collect(path, child, into); // an empty block sets nothing
    }
  }

  private static boolean open(String path) {
    if (path.endsWith("-dispatcher") || path.contains("-dispatcher.")) return true;
    return OPEN.stream().anyMatch(p -> path.equals(p) || path.startsWith(p + "."));
  }

  /** An object given where the reference has a plain value (a list or map written out) is that value's business. */
  private static boolean underKnownLeaf(String path, Set<String> known) {
    for (int dot = path.lastIndexOf('.'); dot > 0; dot = path.lastIndexOf('.', dot - 1)) {
      if (known.contains(path.substring(0, dot))) return true;
    }
    return false;
  }

  static Optional<String> closest(String path, Set<String> known) {
    return known.stream().min(Comparator.comparingInt(k -> distance(path, k)))
        .filter(k -> distance(path, k) <= Math.max(3, path.length() / 4));
  }

  /** Levenshtein distance. */
  static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) prev[j] = j;
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }
}
