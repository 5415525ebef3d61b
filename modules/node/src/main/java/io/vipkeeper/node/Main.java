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
import java.util.concurrent.Callable;
import org.apache.pekko.actor.typed.ActorSystem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Starts one vipkeeper node: loads config, checks everything that can be checked before joining
 * the cluster, then starts the ActorSystem. Exit codes: 2 bad config or arguments, 3 this host
 * cannot hold VIPs (interface, privileges, libpcap), 1 anything else.
 */
@Command(name = "vipkeeper-node", mixinStandardHelpOptions = true, versionProvider = Main.Version.class, sortOptions = false,
    description = {"Runs one vipkeeper node: a member of the Pekko cluster that holds and moves this host's VIPs.",
        "Settings: the FILE over the defaults; VIPKEEPER_* environment variables and -Dvipkeeper.* over both (see README)."},
    exitCodeListHeading = "Exit codes:%n",
    exitCodeList = {"0:stopped cleanly", "2:bad config or arguments", "3:this host cannot hold VIPs (interface, privileges, libpcap)",
        "1:anything else"})
public final class Main implements Callable<Integer> {

  private static final Logger log = LoggerFactory.getLogger(Main.class);

  @Option(names = "--config", paramLabel = "FILE", description = "the node's settings (HOCON); -Dconfig.file=FILE works too")
  private Path config;

  @Option(names = "--release-all", description = "remove this host's configured VIPs and exit (after a kill -9)")
  private boolean releaseAll;

  /** The build's version, from the jar's manifest ("development" when run from classes). */
  public static String version() {
    String v = Main.class.getPackage().getImplementationVersion();
    return v != null ? v : "development";
  }

  /** {@code --version}: one line, as {@code bin/vipkeeper --version} prints it. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"vipkeeper " + version()};
    }
  }

  public static void main(String[] args) {
    roomInCommonPool();
    int code = new CommandLine(new Main()).execute(args);
    // 0 after a start: the ActorSystem runs on (it exits the JVM when it stops); else exit now.
    if (code != 0) System.exit(code);
  }

  @Override
  public Integer call() {
    try {
      Config loaded = NodeConfig.load(configFile(Optional.ofNullable(config)), System.getenv());
      VipKeeperSettings settings = StartupChecks.settings(loaded);
      // Before any kernel work: a second node on this data-dir would remove the VIPs of the one running.
      // (A second node on this interface is refused by InterfaceLock, which KernelDrivers and ReleaseAll take.)
      DataDirLock.acquire(Path.of(settings.dataDir()), releaseAll ? "--release-all is for a node that is gone (killed); stop"
          + " this one instead, its shutdown releases its VIPs" : "run one node per host and configuration; stop that one first");
      if (releaseAll) {
        ReleaseAll.run(settings);
        return 0;
      }
      start(loaded, settings);
      return 0;
    } catch (SettingsException | ConfigException e) {
      return fail(2, "configuration error:\n  " + e.getMessage().replace("\n", "\n  "));
    } catch (DriverException e) {
      return fail(3, e.getMessage());
    }
  }

  private static void start(Config config, VipKeeperSettings settings) {
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

  /** Typesafe Config's convention: -Dconfig.file=FILE names the user's file when --config does not. */
  static Optional<Path> configFile(Optional<Path> option) {
    return option.or(() -> Optional.ofNullable(System.getProperty("config.file")).map(Path::of));
  }

  private static int fail(int code, String message) {
    System.err.println("vipkeeper: " + message);
    return code;
  }
}
