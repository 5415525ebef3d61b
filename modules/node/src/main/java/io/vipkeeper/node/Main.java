package io.vipkeeper.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import io.vipkeeper.config.SettingsException;
import io.vipkeeper.config.VipKeeperSettings;
import io.vipkeeper.driver.DriverException;
import io.vipkeeper.driver.Drivers;
import io.vipkeeper.driver.NoNic;
import io.vipkeeper.kernel.KernelDrivers;
import java.nio.file.Path;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorSystem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.util.Arrays;

/**
 * Starts one vipkeeper node: loads config, checks everything that can be checked before joining
 * the cluster, then starts the ActorSystem. Exit codes: 2 bad config or arguments, 3 this host
 * cannot hold VIPs (interface, privileges, libpcap), 1 anything else.
 */
public final class Main {

  private static final Logger log = LoggerFactory.getLogger(Main.class);

  static final String USAGE = """
      usage: vipkeeper-node [--config FILE] | --release-all [--config FILE] | --help | --version
        --config FILE   the node's settings (HOCON) over the defaults; -Dconfig.file=FILE works too
        --release-all   remove this host's configured VIPs and exit (after a kill -9)
      Settings also come from VIPKEEPER_* environment variables and -Dvipkeeper.* (see README).
      Exit codes: 0 stopped cleanly, 2 bad config or arguments, 3 this host cannot hold VIPs
      (interface, privileges, libpcap), 1 anything else.""";

  private Main() {}

  /** The build's version, from the jar's manifest ("development" when run from classes). */
  public static String version() {
    String v = Main.class.getPackage().getImplementationVersion();
    return v != null ? v : "development";
  }

  public static void main(String[] args) {
    roomInCommonPool();
    if (args.length == 1 && (args[0].equals("--help") || args[0].equals("-h"))) {
      System.out.println(USAGE);
      return;
    }
    if (args.length == 1 && args[0].equals("--version")) {
      System.out.println("vipkeeper " + version());
      return;
    }
    try {
      boolean releaseAll = args.length > 0 && args[0].equals("--release-all");
      Optional<Path> file = configFile(releaseAll ? Arrays.copyOfRange(args, 1, args.length) : args);
      Config config = NodeConfig.load(file, System.getenv());
      VipKeeperSettings settings = StartupChecks.settings(config);
      if (releaseAll) {
        ReleaseAll.run(settings);
        return;
      }
      if (!config.getString("pekko.remote.artery.transport").equals("tls-tcp")) {
        log.warn("INSECURE: cluster traffic is plain {} without authentication (vipkeeper.tls.insecure = on): any process that"
            + " reaches port {} can join the cluster and take the VIPs; make certificates with bin/vipkeeper certs",
            config.getString("pekko.remote.artery.transport"), config.getInt("pekko.remote.artery.canonical.port"));
      }
      Drivers drivers = settings.witness() ? NoNic.drivers() : KernelDrivers.open(settings);
      if (settings.witness()) log.info("WITNESS: this node votes (epochs, leases) and may run deciders, but holds no VIP");
      else StartupChecks.warnAboutSubnets(settings, drivers.driver());
      log.info("starting node {} on {} with groups {}", config.getString("pekko.remote.artery.canonical.hostname")
          + ":" + config.getInt("pekko.remote.artery.canonical.port"), settings.interfaceName(), settings.groups());
      ActorSystem.create(Guardian.create(settings, drivers), NodeConfig.SYSTEM_NAME, config);
    } catch (SettingsException | ConfigException e) {
      fail(2, "configuration error:\n  " + e.getMessage().replace("\n", "\n  "));
    } catch (UsageException e) {
      fail(2, e.getMessage());
    } catch (DriverException e) {
      fail(3, e.getMessage());
    }
  }

  /**
   * CompletionStage callbacks of Pekko's Java API (the management API's asks) run on the common
   * pool. With fewer than 3 cores it has one worker, and the JDK then starts a new thread for each
   * callback. Two workers keep them on reused threads; an explicit setting is left alone.
   */
  static void roomInCommonPool() {
    String key = "java.util.concurrent.ForkJoinPool.common.parallelism";
    if (System.getProperty(key) == null && Runtime.getRuntime().availableProcessors() < 3) System.setProperty(key, "2");
  }

  static Optional<Path> configFile(String[] args) {
    // Typesafe Config's convention: -Dconfig.file=FILE names the user's file when --config does not.
    if (args.length == 0) return Optional.ofNullable(System.getProperty("config.file")).map(Path::of);
    if (args.length == 2 && args[0].equals("--config")) return Optional.of(Path.of(args[1]));
    throw new UsageException("unknown arguments: " + String.join(" ", args) + "\n" + USAGE);
  }

  private static void fail(int code, String message) {
    System.err.println("vipkeeper: " + message);
    System.exit(code);
  }

  static final class UsageException extends RuntimeException {
    UsageException(String message) {
      super(message);
    }
  }
}
