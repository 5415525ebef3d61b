package io.vipkeeper.node;

import io.vipkeeper.config.SettingsException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * One node per data-dir, taken before anything touches the kernel. A second daemon started with
 * the same configuration (a hand-run copy beside the service) would otherwise remove the running
 * node's live VIPs as leftovers and install a fresh kernel fence over its leases. The lock lives
 * as long as the process: the kernel frees it when the process dies, kill -9 included.
 */
final class DataDirLock {

  private static final String FILE = "vipkeeper.lock";
  /** Open and locked for the life of the JVM. */
  private static FileChannel held;

  private DataDirLock() {}

  /** Takes the lock, or says which process holds it and, in {@code instead}, what to do. */
  static synchronized void acquire(Path dataDir, String instead) {
    Path file = dataDir.resolve(FILE);
    try {
      Files.createDirectories(dataDir);
      FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
      if (tryLock(channel) == null) {
        String pid = new String(Files.readAllBytes(file), StandardCharsets.UTF_8).trim();
        channel.close();
        throw new SettingsException(List.of("another vipkeeper node (pid " + (pid.isEmpty() ? "unknown" : pid)
            + ") runs with data-dir " + dataDir + " and holds this host's VIPs for it: " + instead));
      }
      channel.truncate(0);
      channel.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.UTF_8)), 0);
      held = channel;
    } catch (IOException e) {
      throw new SettingsException(List.of("cannot lock " + file + " (" + e.getMessage() + "): vipkeeper.data-dir must be a"
          + " directory this user can write"));
    }
  }

  private static FileLock tryLock(FileChannel channel) throws IOException {
    try {
      return channel.tryLock();
    } catch (OverlappingFileLockException sameJvm) {
      return null;
    }
  }
}
