package io.vipkeeper.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.List;
import org.junit.jupiter.api.Test;

class UnknownSettingsTest {

  private static final Config REFERENCE = ConfigFactory.defaultReference();

  private static List<String> problems(String hocon) {
    return UnknownSettings.problems(ConfigFactory.parseString(hocon), REFERENCE);
  }

  @Test
  void aTypoIsNamedWithTheSettingMeant() {
    List<String> problems = problems("vipkeeper.intrface = eth1\nvipkeeper.announce.cuont = 3");
    assertEquals(2, problems.size(), problems.toString());
    assertTrue(problems.get(0).contains("vipkeeper.announce.cuont (did you mean vipkeeper.announce.count?)"), problems.toString());
    assertTrue(problems.get(1).contains("vipkeeper.intrface (did you mean vipkeeper.interface?)"), problems.toString());
  }

  @Test
  void somethingFarFromEveryKnownSettingIsNamedWithoutAGuess() {
    List<String> problems = problems("vipkeeper.completely-made-up-thing = 1");
    assertEquals(1, problems.size());
    assertTrue(problems.get(0).startsWith("unknown setting vipkeeper.completely-made-up-thing:"), problems.toString());
  }

  @Test
  void knownSettingsAndTheUsersOwnBlocksPass() {
    assertEquals(List.of(), problems("""
        vipkeeper {
          interface = eth1
          health { link-check-interval = 1s, check { command = "true" } }
          groups { web { addresses = ["198.18.0.50/24"], placement { prefer = [n1] } } }
          timing-profiles { mine { renew-interval = 200ms } }
          catalog.replicator.gossip-interval = 1s
          lease-dispatcher.thread-pool-executor.fixed-pool-size = 3
          kernel {}
        }
        pekko.loglevel = DEBUG
        """));
  }
}
