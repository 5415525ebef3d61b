package io.vipkeeper.decider;

import static org.junit.jupiter.api.Assertions.*;

import io.vipkeeper.holder.InterfaceActor;
import io.vipkeeper.model.NodeIdentity;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What a survey says about a claim another decider ordered and that is still under way. */
class SurveyRoundTest {

  private static final NodeIdentity A = new NodeIdentity("A", "pekko://vk@127.0.0.1:1");
  private static final NodeIdentity B = new NodeIdentity("B", "pekko://vk@127.0.0.1:2");

  private static InterfaceActor.Holdings holdings(NodeIdentity node, Map<String, Long> held, Map<String, Long> promised, Map<String, Long> claiming) {
    return new InterfaceActor.Holdings(node, held, promised, true, 1.0, Map.of(), "", claiming);
  }

  @Test
  void aClaimWaitingForItsLeaseAtTheNewestEpochIsUnderWay() {
    SurveyRound survey = new SurveyRound(1, Set.of("a", "b"), Set.of("a", "b"));
    survey.answered("a", holdings(A, Map.of(), Map.of("web", 2L), Map.of()));
    survey.answered("b", holdings(B, Map.of(), Map.of("web", 2L), Map.of("web", 2L)));
    assertEquals(Optional.of(Map.entry(B, 2L)), survey.claimUnderWay("web"));
    assertEquals(Optional.empty(), survey.claimUnderWay("db"));
  }

  @Test
  void aClaimOfASupersededEpochOrOneAlreadyHeldIsNot() {
    SurveyRound superseded = new SurveyRound(1, Set.of("a", "b"), Set.of("a", "b"));
    superseded.answered("a", holdings(A, Map.of(), Map.of("web", 3L), Map.of()));
    superseded.answered("b", holdings(B, Map.of(), Map.of("web", 3L), Map.of("web", 2L)));
    assertEquals(Optional.empty(), superseded.claimUnderWay("web"), "epoch 3 was promised since: that claim will be refused");
    SurveyRound held = new SurveyRound(2, Set.of("b"), Set.of("b"));
    held.answered("b", holdings(B, Map.of("web", 2L), Map.of("web", 2L), Map.of("web", 2L)));
    assertEquals(Optional.empty(), held.claimUnderWay("web"), "a re-claim of what it holds is no placement under way");
  }
}
