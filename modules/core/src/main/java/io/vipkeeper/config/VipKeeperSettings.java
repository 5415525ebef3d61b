package io.vipkeeper.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import io.vipkeeper.model.PlacementPolicy;
import io.vipkeeper.model.VipAddress;
import io.vipkeeper.model.VipGroup;
import io.vipkeeper.model.VirtualMac;
import io.vipkeeper.pcap.GratuitousArp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import java.util.Map;

/** The {@code vipkeeper} block, read and validated once; {@link #create} lists every problem. */
public record VipKeeperSettings(
    String nodeName,
    String interfaceName,
    List<VipGroup> groups,
    AnnounceSettings announce,
    String ipCommand,
    boolean rtnetlink,
    Duration surveyTimeout,
    Duration releaseTimeout,
    Duration vacateTimeout,
    Duration wireWarmupAfter,
    Duration claimTimeout,
    Duration claimRetry,
    boolean reconcileAtStart,
    Duration releaseAfter,
    Duration promiseTimeout,
    String dataDir,
    Duration linkCheckInterval,
    Duration holderCheckInterval,
    NotifySettings hooks,
    CheckSettings check,
    LeaseSettings lease,
    double nodeWeight,
    Duration rebalanceInterval,
    ConflictSettings conflict,
    boolean kernelFence,
    boolean witness) {

  public static VipKeeperSettings create(Config root) {
    Config c = root.getConfig("vipkeeper");
    List<String> problems = new ArrayList<>();
    Reader read = new Reader(problems);
    VipKeeperSettings settings =
        new VipKeeperSettings(
            c.getString("node-name"),
            read.value("vipkeeper.interface", () -> nonEmpty(c.getString("interface"))),
            groups(c.getConfig("groups"), problems),
            announce(c.getConfig("announce"), read),
            c.getString("kernel.ip-command"),
            Boolean.TRUE.equals(read.value("vipkeeper.kernel.address-api", () -> addressApi(c.getString("kernel.address-api")))),
            read.positive("vipkeeper.survey-timeout", () -> c.getDuration("survey-timeout")),
            read.positive("vipkeeper.release-timeout", () -> c.getDuration("release-timeout")),
            read.value("vipkeeper.vacate-timeout", () -> notNegative(c.getDuration("vacate-timeout"))),
            read.value("vipkeeper.wire-warmup-after", () -> notNegative(c.getDuration("wire-warmup-after"))),
            read.positive("vipkeeper.claim-timeout", () -> c.getDuration("claim-timeout")),
            read.positive("vipkeeper.claim-retry", () -> c.getDuration("claim-retry")),
            c.getBoolean("reconcile-at-start"),
            read.positive("vipkeeper.release-after", () -> c.getDuration("release-after")),
            read.positive("vipkeeper.promise-timeout", () -> c.getDuration("promise-timeout")),
            c.getString("data-dir"),
            read.value("vipkeeper.health.link-check-interval", () -> notNegative(c.getDuration("health.link-check-interval"))),
            read.positive("vipkeeper.holder-check-interval", () -> c.getDuration("holder-check-interval")),
            new NotifySettings(Map.of("claim", c.getString("notify.claim"), "release", c.getString("notify.release"),
                "fault", c.getString("notify.fault")), read.positive("vipkeeper.notify.timeout", () -> c.getDuration("notify.timeout"))),
            new CheckSettings(c.getString("health.check.command"),
                read.positive("vipkeeper.health.check.interval", () -> c.getDuration("health.check.interval")),
                read.positive("vipkeeper.health.check.timeout", () -> c.getDuration("health.check.timeout")),
                orOne(read.value("vipkeeper.health.check.fall", () -> atLeast(c.getInt("health.check.fall"), 1))),
                orOne(read.value("vipkeeper.health.check.rise", () -> atLeast(c.getInt("health.check.rise"), 1)))),
            LeaseSettings.read(c, problems),
            orOne(read.value("vipkeeper.node-weight", () -> positiveWeight(c.getDouble("node-weight")))),
            read.positive("vipkeeper.placement.rebalance-interval", () -> c.getDuration("placement.rebalance-interval")),
            new ConflictSettings(c.getBoolean("conflict.detect"),
                read.positive("vipkeeper.conflict.reannounce-interval", () -> c.getDuration("conflict.reannounce-interval"))),
            Boolean.TRUE.equals(read.value("vipkeeper.kernel.fence", () -> onOff(c.getString("kernel.fence")))),
            Boolean.TRUE.equals(read.value("vipkeeper.role", () -> witness(c.getString("role")))));
    if (!problems.isEmpty()) throw new SettingsException(problems);
    return settings;
  }

  private static boolean witness(String role) {
    return switch (role) {
      case "holder" -> false;
      case "witness" -> true;
      default -> throw new IllegalArgumentException("'" + role + "' is not a role; allowed: holder (default), witness");
    };
  }

  private static boolean addressApi(String api) {
    return switch (api) {
      case "netlink" -> true;
      case "ip" -> false;
      default -> throw new IllegalArgumentException("'" + api + "' is not an address API; allowed: netlink (default), ip");
    };
  }

  private static boolean onOff(String value) {
    return switch (value) {
      case "on", "true", "yes" -> true;
      case "off", "false", "no" -> false;
      default -> throw new IllegalArgumentException("'" + value + "' is not on or off");
    };
  }

  /** Every address of every group, for reconcile at start. */
  public List<VipAddress> allAddresses() {
    return groups.stream().flatMap(g -> g.addresses().stream()).toList();
  }

  /** One group's block, as in the config file or a management API request; problems are named. */
  public static VipGroup parseGroup(String name, Config group) {
    try {
      return group(name, group);
    } catch (IllegalArgumentException | ConfigException e) {
      throw new SettingsException(List.of("group " + name + ": " + e.getMessage()));
    }
  }

  private static VipGroup group(String name, Config group) {
    List<VipAddress> addresses = new ArrayList<>();
    for (String cidr : group.getStringList("addresses")) {
      addresses.add(VipAddress.parse(cidr));
    }
    return new VipGroup(name, addresses, virtualMac(group), placement(group));
  }

  private static List<VipGroup> groups(Config groups, List<String> problems) {
    List<VipGroup> result = new ArrayList<>();
    for (String name : groups.root().keySet().stream().sorted().toList()) {
      String path = "vipkeeper.groups." + name;
      try {
        result.add(group(name, groups.getConfig(quote(name))));
      } catch (IllegalArgumentException | ConfigException e) {
        problems.add(path + ": " + e.getMessage());
      }
    }
    checkUnique(result, problems);
    return result;
  }

  /** The group's placement block; absent = balanced. */
  private static PlacementPolicy placement(Config group) {
    if (!group.hasPath("placement")) return PlacementPolicy.BALANCED;
    Config p = group.getConfig("placement").withFallback(ConfigFactory.parseString("prefer = [], preempt = off, preempt-delay = 0s"));
    return new PlacementPolicy(p.getStringList("prefer"), p.getBoolean("preempt"), p.getDuration("preempt-delay").toMillis());
  }

  /** "" for garp mode; the group's MAC for vmac mode. */
  private static String virtualMac(Config group) {
    String mode = group.hasPath("mode") ? group.getString("mode") : "garp";
    return switch (mode) {
      case "garp" -> "";
      case "vmac" -> VirtualMac.of(group.hasPath("virtual-router-id") ? group.getInt("virtual-router-id") : 0,
          group.hasPath("mac") ? group.getString("mac") : "");
      default -> throw new IllegalArgumentException("mode '" + mode + "' is not a mode; allowed: garp (default), vmac");
    };
  }

  private static void checkUnique(List<VipGroup> groups, List<String> problems) {
    List<String> seen = new ArrayList<>();
    for (VipGroup group : groups) {
      for (VipAddress address : group.addresses()) {
        if (seen.contains(address.ip())) {
          problems.add("vipkeeper.groups." + group.name() + ": " + address.ip() + " appears more than once; each address belongs to exactly one group");
        }
        seen.add(address.ip());
      }
    }
  }

  private static AnnounceSettings announce(Config c, Reader read) {
    Integer count = read.value("vipkeeper.announce.count", () -> atLeast(c.getInt("count"), 1));
    Duration interval = read.positive("vipkeeper.announce.interval", () -> c.getDuration("interval"));
    List<GratuitousArp.Form> forms = read.value("vipkeeper.announce.forms", () -> forms(c.getStringList("forms")));
    Duration second = read.value("vipkeeper.announce.second-burst-delay", () -> notNegative(c.getDuration("second-burst-delay")));
    Duration refresh = read.value("vipkeeper.announce.refresh-interval", () -> notNegative(c.getDuration("refresh-interval")));
    Integer rate = read.value("vipkeeper.announce.max-frames-per-second", () -> atLeast(c.getInt("max-frames-per-second"), 1));
    Integer burst = read.value("vipkeeper.announce.max-burst", () -> atLeast(c.getInt("max-burst"), 1));
    Duration learning = read.value("vipkeeper.announce.learning-interval", () -> notNegative(c.getDuration("learning-interval")));
    Duration verify = read.value("vipkeeper.announce.verify-after", () -> notNegative(c.getDuration("verify-after")));
    Boolean tell = read.value("vipkeeper.announce.tell-neighbours", () -> c.getBoolean("tell-neighbours"));
    // A null part has already been reported; the settings are not built then.
    return count == null || interval == null || forms == null || second == null || refresh == null || rate == null || burst == null
        || learning == null || verify == null || tell == null
        ? null : new AnnounceSettings(count, interval, forms, second, refresh, rate, burst, learning, verify, tell);
  }

  private static List<GratuitousArp.Form> forms(List<String> names) {
    if (names.isEmpty()) throw new IllegalArgumentException("must name at least one of: request, reply");
    List<GratuitousArp.Form> forms = new ArrayList<>();
    for (String name : names) {
      try {
        forms.add(GratuitousArp.Form.valueOf(name.toUpperCase(Locale.ROOT)));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("'" + name + "' is not a form; allowed: request, reply");
      }
    }
    return List.copyOf(forms);
  }

  private static String nonEmpty(String value) {
    if (value.isBlank()) throw new IllegalArgumentException("must not be empty");
    return value;
  }

  /** A count already reported as wrong; 1 keeps the record buildable until the error is thrown. */
  private static int orOne(Integer value) {
    return value == null ? 1 : value;
  }

  private static double positiveWeight(double weight) {
    if (!(weight > 0)) throw new IllegalArgumentException("must be greater than 0, was " + weight);
    return weight;
  }

  private static double orOne(Double value) {
    return value == null ? 1 : value;
  }

  private static Duration notNegative(Duration d) {
    if (d.isNegative()) throw new IllegalArgumentException("must be 0 (off) or more, was " + d);
    return d;
  }

  private static int atLeast(int value, int min) {
    if (value < min) throw new IllegalArgumentException("must be at least " + min + ", was " + value);
    return value;
  }

  private static String quote(String key) {
    return "\"" + key + "\"";
  }

  /** Collects problems instead of stopping at the first, so one run shows everything to fix. */
  private record Reader(List<String> problems) {
    <T> T value(String path, Supplier<T> get) {
      try {
        return get.get();
      } catch (IllegalArgumentException | ConfigException e) {
        problems.add(path + ": " + e.getMessage());
        return null;
      }
    }

    Duration positive(String path, Supplier<Duration> get) {
      return value(path, () -> {
        Duration d = get.get();
        if (d.isZero() || d.isNegative()) throw new IllegalArgumentException("must be greater than 0, was " + d);
        return d;
      });
    }
  }
}
