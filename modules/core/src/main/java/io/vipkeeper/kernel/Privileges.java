package io.vipkeeper.kernel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reads the process's effective capabilities, so a missing one is named before anything starts. */
public final class Privileges {

  static final int CAP_NET_ADMIN = 12;
  static final int CAP_NET_RAW = 13;

  private Privileges() {}

  /** Names of the capabilities vipkeeper needs and lacks; empty when all are there. */
  public static List<String> missing() {
    return missing(readEffective(Path.of("/proc/self/status")));
  }

  static List<String> missing(long effective) {
    List<String> missing = new ArrayList<>();
    if ((effective & (1L << CAP_NET_ADMIN)) == 0) missing.add("CAP_NET_ADMIN");
    if ((effective & (1L << CAP_NET_RAW)) == 0) missing.add("CAP_NET_RAW");
    return missing;
  }

  static long readEffective(Path status) {
    try {
      for (String line : Files.readAllLines(status)) {
        if (line.startsWith("CapEff:")) {
          return Long.parseUnsignedLong(line.substring(7).trim(), 16);
        }
      }
    } catch (IOException | NumberFormatException e) {
      // Not Linux or unreadable: report nothing rather than guess; later calls fail clearly.
      return -1L;
    }
    return -1L;
  }
}
