package io.vipkeeper.lab;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** Busy loops on every core, as a loaded machine has: bounded in time (they end by themselves), killed on close. */
public final class CpuLoad implements AutoCloseable {

  private final List<Process> loops = new ArrayList<>();

  private CpuLoad() {}

  /** One busy shell loop per core for at most {@code seconds}. */
  public static CpuLoad start(int seconds) throws IOException {
    return start(seconds, 1);
  }

  /** {@code perCore} busy shell loops per core for at most {@code seconds}. */
  public static CpuLoad start(int seconds, int perCore) throws IOException {
    CpuLoad load = new CpuLoad();
    for (int i = 0; i < Runtime.getRuntime().availableProcessors() * perCore; i++) {
      load.loops.add(new ProcessBuilder("timeout", Integer.toString(seconds), "sh", "-c", "while :; do :; done")
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start());
    }
    return load;
  }

  @Override
  public void close() {
    loops.forEach(p -> {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
    });
  }
}
