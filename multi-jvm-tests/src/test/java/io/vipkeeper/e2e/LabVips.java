package io.vipkeeper.e2e;

import io.vipkeeper.lab.*;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Extra VIP groups for a lab, as -D settings, and which node's kernel holds which of them. */
final class LabVips {

  private LabVips() {}

  /** -D options defining group {@code name} with one address and optional extra settings ("key=value"). */
  static List<String> group(String name, String ip, String... settings) {
    List<String> options = new ArrayList<>(List.of("-Dvipkeeper.groups." + name + ".addresses.0=" + ip + "/24"));
    for (String s : settings) options.add("-Dvipkeeper.groups." + name + "." + s);
    return options;
  }

  /** For each node 1..count, how many of {@code ips} its kernel holds on eth0 (running or not). */
  static Map<Integer, Integer> counts(FailoverLab lab, int count, List<String> ips) {
    Map<Integer, Integer> counts = new HashMap<>();
    for (int i = 1; i <= count; i++) {
      String addresses = addresses(lab, i);
      counts.put(i, (int) ips.stream().filter(ip -> addresses.contains(" " + ip + "/")).count());
    }
    return counts;
  }

  /** The nodes whose eth0 holds {@code ip}. */
  static List<Integer> holders(FailoverLab lab, int count, String ip) {
    List<Integer> holders = new ArrayList<>();
    for (int i = 1; i <= count; i++) if (addresses(lab, i).contains(" " + ip + "/")) holders.add(i);
    return holders;
  }

  /** For each of {@code ips}, the nodes 1..count whose eth0 holds it (one look at each node). */
  static Map<String, List<Integer>> holderMap(FailoverLab lab, int count, List<String> ips) {
    Map<String, List<Integer>> holders = new HashMap<>();
    for (int i = 1; i <= count; i++) {
      String addresses = addresses(lab, i);
      for (String ip : ips) if (addresses.contains(" " + ip + "/")) holders.computeIfAbsent(ip, k -> new ArrayList<>()).add(i);
    }
    return holders;
  }

  /** The kernel's word, whether the keeper runs or not; an ip that fails is a failure, not "nothing". */
  private static String addresses(FailoverLab lab, int node) {
    return lab.lab().exec("n" + node, "ip", "-o", "addr", "show", "dev", "eth0");
  }
}
