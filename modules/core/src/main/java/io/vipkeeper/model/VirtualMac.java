package io.vipkeeper.model;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The MAC a vmac-mode group moves with: VRRP's {@code 00:00:5e:00:01:<vrid>} by default, or an
 * operator's locally administered unicast address. Anything else would clash with a real NIC
 * somewhere (globally administered) or break every switch (multicast), so it is refused.
 */
public final class VirtualMac {

  private static final Pattern MAC = Pattern.compile("([0-9a-f]{2}:){5}[0-9a-f]{2}");

  private VirtualMac() {}

  /** The group's MAC: {@code configured} when given, else the VRRP MAC for {@code vrid}. */
  public static String of(int vrid, String configured) {
    if (configured == null || configured.isBlank()) {
      if (vrid < 1 || vrid > 255) {
        throw new IllegalArgumentException("vmac mode needs virtual-router-id = 1..255 (for 00:00:5e:00:01:<id>) or a mac, was " + vrid);
      }
      return String.format("00:00:5e:00:01:%02x", vrid);
    }
    String mac = configured.trim().toLowerCase(Locale.ROOT).replace('-', ':');
    if (!MAC.matcher(mac).matches()) throw new IllegalArgumentException("'" + configured + "' is not a MAC address like 02:18:00:00:00:50");
    int first = Integer.parseInt(mac.substring(0, 2), 16);
    if ((first & 1) != 0) throw new IllegalArgumentException(mac + " is a multicast MAC; a VIP needs a unicast one");
    boolean vrrp = mac.startsWith("00:00:5e:00:01:") || mac.startsWith("00:00:5e:00:02:");
    if ((first & 2) == 0 && !vrrp) {
      throw new IllegalArgumentException(mac + " is globally administered (it may belong to a real NIC); use the VRRP range"
          + " 00:00:5e:00:01:xx or a locally administered address (second hex digit 2, 6, a or e, e.g. 02:…)");
    }
    return mac;
  }

  /** The macvlan interface that carries a vmac group: short, and the same on every node. */
  public static String linkName(String mac) {
    return "vk" + mac.replace(":", "").substring(6);
  }
}
