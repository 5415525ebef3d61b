package io.vipkeeper.kernel;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import io.vipkeeper.driver.DriverException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;

/**
 * One vipkeeper process per interface and network namespace: an abstract Unix socket named
 * {@code @vipkeeper/IFACE}, bound and listening for the life of the process. A second copy (a
 * hand-run node beside the service, with any data-dir) would otherwise remove the running node's
 * live VIPs as leftovers and install a fresh fence over its leases. Abstract names belong to the
 * network namespace, as the interface does; they need no file that a hardened unit and a hand-run
 * copy would both have to reach, and they go with the process, kill -9 included.
 */
public final class InterfaceLock {

  private static final int AF_UNIX = 1;
  private static final int SOCK_STREAM_CLOEXEC = 1 | 0x80000;
  private static final int EADDRINUSE = 98;
  /** Interfaces this process holds: its own drivers may open one again (an embedder's restart). */
  private static final Set<String> held = new HashSet<>();

  private InterfaceLock() {}

  /** Holds {@code iface} for this process, or says that another process keeps VIPs on it. */
  public static synchronized void hold(String iface) {
    if (held.contains(iface)) return;
    LibC libc = Native.load("c", LibC.class);
    byte[] name = ("vipkeeper/" + iface).getBytes(StandardCharsets.UTF_8);
    byte[] address = new byte[3 + name.length]; // sun_family (AF_UNIX, little-endian), then NUL: an abstract name
    address[0] = AF_UNIX;
    System.arraycopy(name, 0, address, 3, name.length);
    try {
      int fd = libc.socket(AF_UNIX, SOCK_STREAM_CLOEXEC, 0);
      libc.bind(fd, address, address.length);
      libc.listen(fd, 1); // so that ss -xlp lists it with the process
    } catch (LastErrorException e) {
      throw new DriverException(e.getErrorCode() == EADDRINUSE
          ? "another vipkeeper process keeps VIPs on " + iface + " in this network namespace (`ss -xlp | grep @vipkeeper/" + iface
              + "` names it): run one node per interface; stop that one first, its shutdown releases its VIPs"
          : "cannot hold the socket that marks " + iface + " as this node's (errno " + e.getErrorCode() + ")");
    }
    held.add(iface);
  }
}
