package io.vipkeeper.lab;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * What one fault looked like from outside: the times (monotonic nanos) of each phase as the
 * client, the kernels and the node logs saw them. Empty parts did not happen in the limit.
 */
public record Takeover(
    String kind,
    String fault,
    String from,
    String to,
    long faultNanos,
    OptionalLong detected,
    OptionalLong decided,
    OptionalLong released,
    OptionalLong claimed,
    OptionalLong firstAnswer,
    long lastAnswerBefore,
    long answersFromOldAfterNew,
    String neighbourBefore,
    String neighbourAfter,
    OptionalLong neighbourChanged,
    OptionalLong exited) {

  /** The same takeover, with when the stopped keeper's process was gone (a planned stop). */
  public Takeover withExited(long nanos) {
    return new Takeover(kind, fault, from, to, faultNanos, detected, decided, released, claimed, firstAnswer, lastAnswerBefore,
        answersFromOldAfterNew, neighbourBefore, neighbourAfter, neighbourChanged, OptionalLong.of(nanos));
  }

  /** Fault to the stopped keeper's exit, in milliseconds (a planned stop). */
  public double exitMillis() {
    return millis(exited.orElseThrow() - faultNanos);
  }

  public boolean tookOver() {
    return firstAnswer.isPresent();
  }

  /** Fault to the first answer from the new holder, in milliseconds. */
  public double takeoverMillis() {
    return millis(firstAnswer.orElseThrow() - faultNanos);
  }

  /** The longest the client went without any answer around the fault, in milliseconds. */
  public double gapMillis() {
    return millis(firstAnswer.orElseThrow() - lastAnswerBefore);
  }

  /** The timeline, one line a phase in the order they happened, times relative to the fault. */
  public List<String> timeline() {
    List<Map.Entry<Long, String>> phases = new ArrayList<>();
    phases.add(Map.entry(faultNanos, "fault: " + fault));
    detected.ifPresent(t -> phases.add(Map.entry(t, "detection: a surviving node marks " + from + " unreachable")));
    decided.ifPresent(t -> phases.add(Map.entry(t, "decision: split brain resolver downs " + from)));
    released.ifPresent(t -> phases.add(Map.entry(t, "release: " + from + "'s kernel drops the VIP")));
    claimed.ifPresent(t -> phases.add(Map.entry(t, "claim: " + to + "'s kernel holds the VIP")));
    neighbourChanged.ifPresent(t -> phases.add(Map.entry(t, "client's neighbour entry now points at " + to)));
    firstAnswer.ifPresent(t -> phases.add(Map.entry(t, "first answer from " + to)));
    phases.sort(Map.Entry.comparingByKey());
    List<String> lines = new ArrayList<>();
    phases.forEach(p -> lines.add(line(p.getKey(), p.getValue())));
    lines.add("client neighbour entry before: " + neighbourBefore);
    lines.add("client neighbour entry after:  " + neighbourAfter);
    if (tookOver()) {
      lines.add(String.format("takeover %.0f ms, client saw no answer for %.0f ms, answers from %s after: %d",
          takeoverMillis(), gapMillis(), from, answersFromOldAfterNew));
    }
    return lines;
  }

  private String line(long nanos, String what) {
    return String.format("%+8.0f ms  %s", millis(nanos - faultNanos), what);
  }

  private static double millis(long nanos) {
    return nanos / 1e6;
  }
}
