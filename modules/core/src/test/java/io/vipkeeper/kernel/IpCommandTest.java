package io.vipkeeper.kernel;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The one place that forks ip: a chatty child never blocks it. */
class IpCommandTest {

  @Test
  void aFullErrorPipeDoesNotBlock(@TempDir Path dir) throws Exception {
    // 1 MB on stderr and 1 MB on stdout, far past a pipe's 64 KB: read one after the other, this hung.
    Path chatty = dir.resolve("ip");
    Files.writeString(chatty, "#!/bin/sh\nyes e | head -c 1048576 >&2\nyes o | head -c 1048576\nexit 3\n");
    Files.setPosixFilePermissions(chatty, PosixFilePermissions.fromString("rwx------"));
    IpCommand.Result result = assertTimeoutPreemptively(java.time.Duration.ofSeconds(10),
        () -> new IpCommand(chatty.toString()).run(List.of("address", "show")), "ip's pipes read one after the other block");
    assertEquals(3, result.exitCode());
    assertEquals(1 << 20, result.out().length());
    assertEquals((1 << 20) - 1, result.err().length(), "all of stderr (trimmed of its last newline)");
  }
}
