package io.vipkeeper.holder;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A hook or check started by the node does not see the node's secrets. */
class ChildEnvironmentTest {

  @Test
  void theTokenAndTheKeyStorePasswordAreNotHandedOn(@TempDir Path dir) throws Exception {
    Path seen = dir.resolve("env");
    ProcessBuilder builder = new ProcessBuilder(List.of("/bin/sh", "-c", "env > " + seen));
    builder.environment().put("VIPKEEPER_HTTP_TOKEN", "s3cret");
    builder.environment().put("VIPKEEPER_TLS_PASSWORD", "hunter2");
    builder.environment().put("VIPKEEPER_GROUP", "web");
    ChildEnvironment.clean(builder.environment());
    assertEquals(0, builder.start().waitFor());
    String env = Files.readString(seen);
    assertFalse(env.contains("s3cret") || env.contains("hunter2"), env);
    assertTrue(env.contains("VIPKEEPER_GROUP=web"), "the rest is kept: " + env);
  }
}
