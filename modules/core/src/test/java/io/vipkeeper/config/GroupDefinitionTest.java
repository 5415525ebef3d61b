package io.vipkeeper.config;

import static org.junit.jupiter.api.Assertions.*;

import io.vipkeeper.model.VipGroup;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A group read from JSON: the fields a group has, their types and limits; never HOCON text. */
class GroupDefinitionTest {

  @Test
  void aGroupWithEveryField() {
    VipGroup g = GroupDefinition.parse("web", "{\"addresses\":[\"198.18.0.60/24\",\"2001:db8:18::60/64\"],\"mode\":\"vmac\","
        + "\"virtual-router-id\":7,\"placement\":{\"prefer\":[\"n2\"],\"preempt\":true,\"preempt-delay\":\"2s\"}}");
    assertEquals(2, g.addresses().size());
    assertTrue(g.virtualMac());
    assertEquals(List.of("n2"), g.placement().prefer());
  }

  @Test
  void everyMistakeIsNamed() {
    assertProblem("{\"addresses\":" + "[".repeat(999) + "]".repeat(999) + "}", "nesting depth");
    assertProblem("{\"addresses\":[\"198.18.0.60/24\"],\"include\":\"file(/etc/shadow)\"}", "unknown field \"include\"");
    assertProblem("{\"addresses\":\"198.18.0.60/24\"}", "\"addresses\" must be a non-empty list");
    assertProblem("{\"addresses\":[5]}", "must be a string");
    assertProblem("{\"mode\":\"garp\"}", "\"addresses\"");
    assertProblem("{\"addresses\":[\"198.18.0.60/24\",\"198.18.0.60/24\"]}", "more than once");
    assertProblem("{\"addresses\":[\"0.0.0.0/1\"]}", "unspecified");
    assertProblem("{\"addresses\":[\"198.18.0.60/24\"],\"placement\":{\"prefer\":[\"n1\"],\"x\":1}}", "placement.x");
    assertProblem("{\"addresses\":[\"${HOME}/24\"]}", "not an IPv4 or IPv6 address");
    StringBuilder many = new StringBuilder("{\"addresses\":[");
    for (int i = 0; i < 2000; i++) many.append(i == 0 ? "" : ",").append("\"198.18.0.60/24\"");
    assertProblem(many.append("]}").toString(), "at most " + VipGroup.MAX_ADDRESSES);
  }

  private static void assertProblem(String json, String expected) {
    GroupDefinition.Invalid e = assertThrows(GroupDefinition.Invalid.class, () -> GroupDefinition.parse("g", json), json);
    assertTrue(e.getMessage().contains(expected), "'" + e.getMessage() + "' names " + expected);
  }
}
