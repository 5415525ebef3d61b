package io.vipkeeper.lab;

/** The lab's address plan (shared/lab-addressing.md), as lab/lab.sh assigns it. */
public final class LabAddresses {

  public static final String VIP = "198.18.0.50";

  /** The IPv6 VIP of dual-stack groups, as the kernel prints it. */
  public static final String VIP6 = "2001:db8:18::50";

  private LabAddresses() {}

  public static String nodeIp(int i) {
    return "198.18.0." + (10 + i);
  }

  public static String nodeMac(int i) {
    return String.format("02:18:00:00:00:%02x", 10 + i);
  }

  /** The lab node that owns {@code mac}, or the MAC itself when it is not a node's. */
  public static String nodeOfMac(String mac) {
    for (int i = 1; i <= 9; i++) {
      if (nodeMac(i).equalsIgnoreCase(mac)) return "n" + i;
    }
    return mac;
  }
}
