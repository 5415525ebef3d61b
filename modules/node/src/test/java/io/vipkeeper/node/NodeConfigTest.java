package io.vipkeeper.node;

import static org.junit.jupiter.api.Assertions.*;

import com.typesafe.config.Config;
import io.vipkeeper.config.SettingsException;
import io.vipkeeper.config.VipKeeperSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import io.vipkeeper.model.PlacementPolicy;
import java.util.HashMap;

class NodeConfigTest {

  private static final Map<String, String> LAB_ENV = Map.of(
      "VIPKEEPER_NODE_HOST", "198.18.0.12",
      "VIPKEEPER_NODE_PORT", "25521",
      "VIPKEEPER_SEED_NODES", "198.18.0.11:25520, 198.18.0.12:25521",
      "VIPKEEPER_INTERFACE", "veth7",
      "VIPKEEPER_VIPS", "198.18.0.50/24,198.18.0.51/24",
      "VIPKEEPER_DATA_DIR", "target/test-data/n2");

  /** Only a node that is not the first seed retries its join sooner; the first seed keeps Pekko's wait before forming alone. */
  @Test
  void aNodeOtherThanTheFirstSeedRetriesItsJoinEverySecond() {
    assertEquals(java.time.Duration.ofSeconds(1), NodeConfig.load(Optional.empty(), LAB_ENV).getDuration("pekko.cluster.seed-node-timeout"));
    Map<String, String> first = new HashMap<>(LAB_ENV);
    first.put("VIPKEEPER_NODE_HOST", "198.18.0.11");
    first.put("VIPKEEPER_NODE_PORT", "25520");
    first.put("VIPKEEPER_DATA_DIR", "target/test-data/n1");
    assertEquals(java.time.Duration.ofSeconds(5), NodeConfig.load(Optional.empty(), first).getDuration("pekko.cluster.seed-node-timeout"),
        "the first seed keeps Pekko's 5 s");
  }

  @Test
  void environmentConfiguresANodeCompletely() {
    Config config = NodeConfig.load(Optional.empty(), LAB_ENV);
    assertEquals("198.18.0.12", config.getString("pekko.remote.artery.canonical.hostname"));
    assertEquals(25521, config.getInt("pekko.remote.artery.canonical.port"));
    assertEquals(List.of("pekko://vipkeeper@198.18.0.11:25520", "pekko://vipkeeper@198.18.0.12:25521"),
        config.getStringList("pekko.cluster.seed-nodes"));
    assertEquals(Path.of("target/test-data/n2").toAbsolutePath().toString(), config.getString("vipkeeper.data-dir"));
    assertTrue(Files.isDirectory(Path.of("target/test-data/n2")), "data-dir is created");
    assertEquals("jdbc:h2:file:" + Path.of("target/test-data/n2").toAbsolutePath() + "/epochs;DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0",
        config.getString("pekko-persistence-jdbc.shared-databases.vipkeeper.db.url"));
    assertEquals(Duration.ofSeconds(3), config.getDuration("pekko.coordinated-shutdown.phases.actor-system-terminate.timeout"),
        "the daemon cuts the ActorSystem's end short of Pekko's 10 s");
    VipKeeperSettings settings = VipKeeperSettings.create(config);
    assertEquals("veth7", settings.interfaceName());
    assertEquals(2, settings.groups().get(0).addresses().size());
    assertEquals("keep-majority", config.getString("pekko.cluster.split-brain-resolver.active-strategy"));
  }

  @Test
  void environmentWinsOverTheFileAndTheFileOverDefaults(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("node.conf");
    Files.writeString(file, """
        pekko.cluster.seed-nodes = ["pekko://vipkeeper@198.18.0.11:25520"]
        pekko.remote.artery.canonical.hostname = "198.18.0.11"
        vipkeeper.interface = "eth1"
        vipkeeper.groups.web.addresses = ["198.18.0.50/24"]
        """);
    Config fileOnly = NodeConfig.load(Optional.of(file), Map.of());
    assertEquals("eth1", fileOnly.getString("vipkeeper.interface"));
    assertEquals(25520, fileOnly.getInt("pekko.remote.artery.canonical.port"), "default from the cluster profile");
    Config withEnv = NodeConfig.load(Optional.of(file), Map.of("VIPKEEPER_INTERFACE", "eth2"));
    assertEquals("eth2", withEnv.getString("vipkeeper.interface"));
  }

  @Test
  void environmentCanMakeTheGroupAVmacGroup() {
    Map<String, String> env = new HashMap<>(LAB_ENV);
    env.putAll(Map.of("VIPKEEPER_MODE", "vmac", "VIPKEEPER_VRID", "50"));
    VipKeeperSettings settings = VipKeeperSettings.create(NodeConfig.load(Optional.empty(), env));
    assertEquals("00:00:5e:00:01:32", settings.groups().get(0).mac());
  }

  @Test
  void environmentSetsTheGroupsPlacementAndTheTimingProfile() {
    Map<String, String> env = new HashMap<>(LAB_ENV);
    env.putAll(Map.of("VIPKEEPER_PREFER", "n3, n2", "VIPKEEPER_PREEMPT", "10s", "VIPKEEPER_TIMING", "fast"));
    VipKeeperSettings settings = VipKeeperSettings.create(NodeConfig.load(Optional.empty(), env));
    assertEquals(new PlacementPolicy(List.of("n3", "n2"), true, 10_000), settings.groups().get(0).placement());
    assertEquals("fast", settings.lease().profile());
    env.put("VIPKEEPER_PREEMPT", "off");
    assertFalse(VipKeeperSettings.create(NodeConfig.load(Optional.empty(), env)).groups().get(0).placement().preempt());
  }

  @Test
  void malformedVariablesAreNamed() {
    SettingsException e = assertThrows(SettingsException.class, () -> NodeConfig.load(Optional.empty(),
        Map.of("VIPKEEPER_NODE_PORT", "70000", "VIPKEEPER_SEED_NODES", "198.18.0.11", "VIPKEEPER_HTTP", "8558")));
    assertTrue(e.getMessage().contains("VIPKEEPER_HTTP: '8558' is not host:port"), e.getMessage());
    assertTrue(e.getMessage().contains("VIPKEEPER_NODE_PORT: '70000' is not a port"), e.getMessage());
    assertTrue(e.getMessage().contains("VIPKEEPER_SEED_NODES: '198.18.0.11' is not host:port"), e.getMessage());
  }

  @Test
  void anUnwritableDataDirIsNamed() {
    SettingsException e = assertThrows(SettingsException.class, () -> NodeConfig.load(Optional.empty(),
        Map.of("VIPKEEPER_SEED_NODES", "198.18.0.11:25520", "VIPKEEPER_DATA_DIR", "/proc/vipkeeper")));
    assertTrue(e.getMessage().contains("vipkeeper.data-dir: cannot create /proc/vipkeeper"), e.getMessage());
  }

  @Test
  void noSeedNodesIsAnError() {
    SettingsException e = assertThrows(SettingsException.class, () -> NodeConfig.load(Optional.empty(), Map.of()));
    assertTrue(e.getMessage().contains("no seed nodes: set VIPKEEPER_SEED_NODES"), e.getMessage());
  }

  @Test
  void missingConfigFileIsNamed() {
    SettingsException e = assertThrows(SettingsException.class,
        () -> NodeConfig.load(Optional.of(Path.of("/nonexistent/vip.conf")), LAB_ENV));
    assertTrue(e.getMessage().contains("/nonexistent/vip.conf: no such readable file"), e.getMessage());
  }

  @Test
  void shippedLabConfigsLoad() {
    for (int i = 1; i <= 3; i++) {
      Config config = NodeConfig.load(Optional.of(Path.of("../../conf/lab/node" + i + ".conf")), Map.of());
      assertEquals("198.18.0.1" + i, config.getString("pekko.remote.artery.canonical.hostname"));
      assertEquals("n" + i, VipKeeperSettings.create(config).nodeName());
    }
    Config single = NodeConfig.load(Optional.of(Path.of("../../conf/application.conf")), Map.of());
    assertEquals("web", VipKeeperSettings.create(single).groups().get(0).name());
  }

  @Test
  void everyShippedConfigFileNamesOnlyKnownSettings() throws Exception {
    Path conf = Path.of("../../conf");
    List<Path> files;
    try (var walk = Files.walk(conf)) {
      files = walk.filter(f -> f.toString().endsWith(".conf")).toList();
    }
    assertTrue(files.size() >= 5, "found " + files);
    for (Path f : files) {
      Config parsed = com.typesafe.config.ConfigFactory.parseFile(f.toFile());
      assertEquals(List.of(), io.vipkeeper.config.UnknownSettings.problems(parsed, com.typesafe.config.ConfigFactory.defaultReference()), f.toString());
    }
  }

  @Test
  void aTypoInTheUsersFileStopsTheNodeWithTheSettingMeant(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("node.conf");
    Files.writeString(file, "vipkeeper.intrface = eth1\n");
    SettingsException e = assertThrows(SettingsException.class, () -> NodeConfig.load(Optional.of(file), LAB_ENV));
    assertTrue(e.getMessage().contains("vipkeeper.intrface (did you mean vipkeeper.interface?)"), e.getMessage());
  }

  @Test
  void configFileAsASystemPropertyNamesTheUsersFile() {
    String before = System.getProperty("config.file");
    try {
      System.setProperty("config.file", "/etc/vipkeeper/node.conf");
      assertEquals(Optional.of(Path.of("/etc/vipkeeper/node.conf")), Main.configFile(Optional.empty()));
      assertEquals(Optional.of(Path.of("other.conf")), Main.configFile(Optional.of(Path.of("other.conf"))));
    } finally {
      if (before == null) System.clearProperty("config.file");
      else System.setProperty("config.file", before);
    }
  }

  @Test
  void theDaemonExitsWhenDownedButTheIncludeForEmbeddersDoesNotSayItShould() {
    assertTrue(NodeConfig.load(Optional.empty(), LAB_ENV).getBoolean("pekko.coordinated-shutdown.exit-jvm"));
    assertFalse(com.typesafe.config.ConfigFactory.parseResources("vipkeeper-cluster.conf").hasPath("pekko.coordinated-shutdown.exit-jvm"));
  }
}
