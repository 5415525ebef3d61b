package io.vipkeeper.lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Starves one process of CPU: moved into a cgroup whose quota is 1 % of one CPU (cgroup v2's
 * cpu.max, or v1's cfs quota), and moved back. The kernel's own work (ARP replies) goes on, as on
 * an overloaded host.
 */
final class CpuStarvation {

  private static final Path V2 = Path.of("/sys/fs/cgroup");
  private static final Path V1 = Path.of("/sys/fs/cgroup/cpu");
  private final String name;
  private final List<Long> pids;
  private Path group;
  private Path home;

  CpuStarvation(String name, List<Long> pids) {
    this.name = "vipkeeper-starve-" + name;
    this.pids = List.copyOf(pids);
  }

  void begin() {
    try {
      boolean v2 = Files.exists(V2.resolve("cgroup.controllers"));
      Path root = v2 ? V2 : V1;
      if (!Files.isDirectory(root)) throw new IllegalStateException("no cpu cgroup controller at " + root);
      home = root.resolve(currentGroup(v2, pids.get(0)));
      group = root.resolve(name);
      Files.createDirectories(group);
      if (v2) {
        Files.writeString(group.resolve("cpu.max"), "1000 100000");
      } else {
        Files.writeString(group.resolve("cpu.cfs_period_us"), "100000");
        Files.writeString(group.resolve("cpu.cfs_quota_us"), "1000");
      }
      for (long pid : pids) Files.writeString(group.resolve("cgroup.procs"), Long.toString(pid));
    } catch (IOException e) {
      throw new IllegalStateException("cannot starve " + pids + " of CPU with a cgroup: " + e.getMessage(), e);
    }
  }

  void end() {
    try {
      for (long pid : pids) if (ProcessHandle.of(pid).isPresent()) Files.writeString(home.resolve("cgroup.procs"), Long.toString(pid));
      Files.delete(group);
    } catch (IOException e) {
      throw new IllegalStateException("cannot give " + pids + " their CPU back: " + e.getMessage(), e);
    }
  }

  /** The process's cgroup path under the cpu hierarchy, relative ("" = the root). */
  private static String currentGroup(boolean v2, long pid) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "cgroup"))) {
      String[] parts = line.split(":", 3);
      boolean cpu = v2 ? parts[0].equals("0") : List.of(parts[1].split(",")).contains("cpu");
      if (cpu) return parts[2].replaceFirst("^/", "");
    }
    return "";
  }
}
