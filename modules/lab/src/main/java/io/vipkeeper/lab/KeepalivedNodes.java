package io.vipkeeper.lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/**
 * keepalived (Debian's package) on the lab's nodes: one VRRP instance, the same VIP, all nodes
 * BACKUP with priorities 100+i and the given advert interval (VRRPv3, so sub-second adverts are
 * honoured), as its users run it without a tracking script. It has no quorum: that is the point
 * of comparing under a partition.
 */
public final class KeepalivedNodes implements Nodes {

  private final Lab lab;
  private final Path dir;
  private final String advert;
  private final Process[] processes;
  private final IntFunction<String> instances;

  public KeepalivedNodes(Lab lab, int count, Path dir, String advertSeconds) {
    this(lab, count, dir, advertSeconds, null);
  }

  /** With {@code instances} giving node i's vrrp_instance blocks (null: the one lab VIP instance). */
  public KeepalivedNodes(Lab lab, int count, Path dir, String advertSeconds, IntFunction<String> instances) {
    this.lab = lab;
    this.dir = dir;
    this.advert = advertSeconds;
    this.processes = new Process[count + 1];
    this.instances = instances != null ? instances : i -> """
        vrrp_instance VIP {
          state BACKUP
          interface eth0
          version 3
          virtual_router_id 50
          priority %d
          advert_int %s
          virtual_ipaddress {
            %s/24 dev eth0
          }
        }
        """.formatted(100 + i, advertSeconds, LabAddresses.VIP);
  }

  @Override
  public String label() {
    return "keepalived advert " + advert + " s";
  }

  @Override
  public void start(int i) throws IOException {
    Files.createDirectories(dir);
    Path conf = dir.resolve("keepalived-n" + i + ".conf");
    Files.writeString(conf, """
        global_defs {
          router_id n%d
          enable_script_security
          vrrp_garp_master_repeat 5
        }
        %s""".formatted(i, instances.apply(i)));
    String tag = "n" + i + "-" + advert;
    // A pid file left by the last run (killed) whose pid now belongs to another process makes
    // keepalived refuse to start ("daemon is already running").
    Files.deleteIfExists(dir.resolve(tag + ".pid"));
    Files.deleteIfExists(dir.resolve(tag + "-vrrp.pid"));
    processes[i] = new ProcessBuilder("ip", "netns", "exec", lab.ns("n" + i), "keepalived", "--dont-fork", "--log-console",
        "--vrrp", "--use-file", conf.toString(), "--pid", dir.resolve(tag + ".pid").toString(),
        "--vrrp_pid", dir.resolve(tag + "-vrrp.pid").toString())
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("keepalived-" + tag + ".log").toFile()))
        .start();
  }

  @Override
  public void crash(int i) throws InterruptedException {
    Process p = processes[i];
    if (p == null) return;
    p.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
    p.destroyForcibly();
    p.waitFor(10, TimeUnit.SECONDS);
  }

  @Override
  public void stop(int i) throws InterruptedException {
    Process p = processes[i];
    if (p == null) return;
    p.destroy();
    if (!p.waitFor(20, TimeUnit.SECONDS)) crash(i);
  }

  @Override
  public void signalStop(int i) {
    if (processes[i] != null) processes[i].destroy();
  }

  @Override
  public boolean running(int i) {
    return processes[i] != null && processes[i].isAlive();
  }

  @Override
  public List<ProcessHandle> processes(int i) {
    List<ProcessHandle> all = new ArrayList<>();
    if (processes[i] != null && processes[i].isAlive()) {
      all.add(processes[i].toHandle());
      processes[i].toHandle().descendants().forEach(all::add);
    }
    return all;
  }

  @Override
  public String log(int i) {
    try {
      Path log = dir.resolve("keepalived-n" + i + "-" + advert + ".log");
      return Files.exists(log) ? Files.readString(log) : "";
    } catch (IOException e) {
      return "";
    }
  }

  @Override
  public void close() {
    for (int i = 1; i < processes.length; i++) {
      try {
        crash(i);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
