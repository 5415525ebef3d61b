package io.vipkeeper.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PrivilegesTest {

  @Test
  void namesExactlyTheMissingCapability() {
    long admin = 1L << Privileges.CAP_NET_ADMIN;
    long raw = 1L << Privileges.CAP_NET_RAW;
    assertEquals(List.of(), Privileges.missing(admin | raw));
    assertEquals(List.of("CAP_NET_RAW"), Privileges.missing(admin));
    assertEquals(List.of("CAP_NET_ADMIN"), Privileges.missing(raw));
    assertEquals(List.of("CAP_NET_ADMIN", "CAP_NET_RAW"), Privileges.missing(0));
  }

  @Test
  void readsCapEffFromProcStatus(@TempDir Path dir) throws Exception {
    Path status = dir.resolve("status");
    Files.writeString(status, "Name:\tjava\nCapInh:\t0000000000000000\nCapEff:\t0000000000003000\n");
    assertEquals(0x3000L, Privileges.readEffective(status));
    assertEquals(List.of(), Privileges.missing(Privileges.readEffective(status)));
  }
}
