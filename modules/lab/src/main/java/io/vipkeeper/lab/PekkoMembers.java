package io.vipkeeper.lab;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Bare Pekko cluster members in the lab's nodes ({@code BareMember}): vipkeeper's cluster settings
 * and nothing on top, the floor of a vipkeeper node's idle cost. They hold no VIP: only the idle
 * rows of the benchmark use them.
 */
public final class PekkoMembers extends JvmNodes {

  private final Lab lab;

  public PekkoMembers(Lab lab, int count, Path logs) {
    this.lab = lab;
    for (int i = 1; i <= count; i++) nodes.add(new NodeProcess("n" + i, logs.resolve("pekko-bare-n" + i + ".log")));
  }

  @Override
  public String label() {
    return "Pekko cluster alone (vipkeeper's cluster settings, no vipkeeper)";
  }

  @Override
  public void start(int i) throws Exception {
    List<String> args = new ArrayList<>(List.of(LabAddresses.nodeIp(i), "n" + i, LabCerts.cluster().toAbsolutePath().toString()));
    IntStream.rangeClosed(1, nodes.size()).forEach(n -> args.add(LabAddresses.nodeIp(n)));
    nodes.get(i - 1).startMain(lab.ns("n" + i), "io.vipkeeper.lab.programs.BareMember", args);
  }

  /** Every member was moved to Up by a leader since its start. */
  @Override
  public boolean formed() {
    return IntStream.rangeClosed(1, nodes.size()).allMatch(i -> upAt(i).isPresent());
  }
}
