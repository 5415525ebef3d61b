package io.vipkeeper.node;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The CLI's command line: help per command and its exit codes, without a node to talk to. */
class CliTest {

  private final Cli cli = new Cli("http://127.0.0.1:1", "", null);

  /** Runs {@code args}; stdout and stderr together after the exit code. */
  private String[] run(String... args) {
    PrintStream out = System.out, err = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    PrintStream both = new PrintStream(captured, true, StandardCharsets.UTF_8);
    System.setOut(both);
    System.setErr(both);
    try {
      int code = cli.run(args);
      return new String[] {String.valueOf(code), captured.toString(StandardCharsets.UTF_8)};
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
  }

  @Test
  void everyCommandHasItsHelp() {
    String[] top = run("--help");
    assertEquals("0", top[0], top[1]);
    for (String command : new String[] {"status", "move", "drain", "undrain", "add", "remove", "history"}) {
      assertTrue(top[1].contains("  " + command + " "), command + " listed: " + top[1]);
      String[] help = run(command, "--help");
      assertEquals("0", help[0], help[1]);
      assertTrue(help[1].startsWith("Usage: vipkeeper " + command), help[1]);
    }
    assertTrue(top[1].contains("2   usage") && top[1].contains("VIPKEEPER_URL"), top[1]);
    assertTrue(run("add", "--help")[1].contains("--vrid=N"), "options are documented");
  }

  @Test
  void usageErrorsExit2RefusalsAndAnUnreachableNodeExit1() {
    assertEquals("2", run("frob")[0], "an unknown command");
    assertEquals("2", run("move", "web")[0], "a missing argument");
    assertEquals("2", run("add", "api", "198.18.0.60/24", "--vrid", "x")[0], "a bad number");
    String[] name = run("move", "../nodes/n1/drain?", "n1");
    assertEquals("2", name[0], name[1]);
    assertTrue(name[1].contains("not a group or node name"), name[1]);
    String[] down = run("status");
    assertEquals("1", down[0], down[1]);
    assertTrue(down[1].contains("cannot reach the management API at http://127.0.0.1:1"), down[1]);
  }
}
