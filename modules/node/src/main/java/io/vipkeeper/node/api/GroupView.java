package io.vipkeeper.node.api;

import io.vipkeeper.VipEvent;
import io.vipkeeper.holder.InterfaceActor;
import io.vipkeeper.catalog.VipCatalog;
import io.vipkeeper.decider.Decider;
import io.vipkeeper.model.VipAddress;
import io.vipkeeper.model.VipGroup;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.time.Instant;
import java.util.Comparator;

/** One group as GET /vips shows it. */
final class GroupView {

  private GroupView() {}

  static Map<String, Object> of(VipGroup group, VipCatalog.Snapshot snapshot, List<InterfaceActor.Holdings> all,
      Decider.Status status) {
    Map<String, Object> view = new LinkedHashMap<>();
    view.put("group", group.name());
    view.put("mode", group.virtualMac() ? "vmac" : "garp");
    if (group.virtualMac()) view.put("mac", group.mac());
    view.put("addresses", group.addresses().stream().map(VipAddress::cidr).toList());
    view.put("source", snapshot.runtime().contains(group.name()) ? "api" : "config");
    List<String> holders = new ArrayList<>();
    Long since = null;
    long epoch = 0;
    Map<String, Object> nodes = new LinkedHashMap<>();
    for (InterfaceActor.Holdings h : all.stream().sorted(Comparator.comparing(h -> h.node().name())).toList()) {
      Long held = h.held().get(group.name());
      if (held != null) {
        holders.add(h.node().name());
        epoch = Math.max(epoch, held);
        since = h.heldSinceMillis().get(group.name());
      }
      nodes.put(h.node().name(), Map.of("holds", held != null, "canHold", h.canClaim(),
          "drained", snapshot.drained().contains(h.node().name())));
    }
    view.put("holder", holders.size() == 1 ? holders.get(0) : holders.isEmpty() ? null : holders);
    view.put("epoch", epoch);
    view.put("since", since == null || holders.size() != 1 ? null : Instant.ofEpochMilli(since).toString());
    VipEvent.Takeover last = status == null ? null : status.lastTakeover();
    view.put("lastTakeover", last == null ? null : takeover(last));
    view.put("decider", status == null ? null : status.decider());
    view.put("nodes", nodes);
    return view;
  }

  private static Map<String, Object> takeover(VipEvent.Takeover t) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("path", t.path().label());
    m.put("from", t.from());
    m.put("to", t.to());
    m.put("epoch", t.epoch());
    m.put("millis", t.totalMillis());
    m.put("at", Instant.ofEpochMilli(t.atEpochMillis()).toString());
    return m;
  }
}
