package io.vipkeeper;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

/** A peer's words in our log cannot forge a line or run on forever. */
class LogSafeTest {

  @Test
  void controlCharactersBecomeQuestionMarksAndLongTextIsCut() {
    assertEquals("CN=n1?12:00:00 INFO forged", LogSafe.of("CN=n1\n12:00:00 INFO forged"));
    assertEquals("a?b?c", LogSafe.of("a\u001b[31mb\u202ec".replace("[31m", "")));
    assertEquals(201, LogSafe.of("x".repeat(5000)).length(), "200 characters and an ellipsis");
    assertEquals("null", LogSafe.of(null));
  }
}
