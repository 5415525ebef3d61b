package io.vipkeeper.lab.programs;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * A Pekko cluster member and nothing else, with the cluster settings a vipkeeper node runs with
 * (vipkeeper-cluster.conf: mutual TLS, heartbeats, gossip, the resolver): the idle floor that no
 * change inside vipkeeper can go below. Runs in a lab node on the node jar's classes, beside this
 * class. Usage: BareMember HOST NAME TLS-DIR SEED-HOST...
 */
public final class BareMember {

  private BareMember() {}

  public static void main(String[] args) throws Exception {
    String host = args[0];
    Path tls = Path.of(args[2]);
    String seeds = Arrays.stream(args, 3, args.length).map(s -> "\"pekko://vipkeeper@" + s + ":25520\"").collect(Collectors.joining(","));
    Config config = ConfigFactory.parseString(String.join("\n",
            "vipkeeper.tls.key-store = \"" + tls.resolve(args[1] + ".p12") + "\"",
            "vipkeeper.tls.trust-store = \"" + tls.resolve("trust.p12") + "\"",
            "vipkeeper.tls.password = \"" + Files.readString(tls.resolve("password")).strip() + "\"",
            "vipkeeper.data-dir = \"/nonexistent\"",
            "pekko.remote.artery.canonical.hostname = \"" + host + "\"",
            "pekko.cluster.seed-nodes = [" + seeds + "]"))
        .withFallback(ConfigFactory.systemProperties())
        .withFallback(ConfigFactory.parseResources("vipkeeper-cluster.conf"))
        .withFallback(ConfigFactory.load())
        .resolve();
    ActorSystem.create(Behaviors.empty(), "vipkeeper", config);
  }
}
