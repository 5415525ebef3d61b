package io.vipkeeper.node.api;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** GET /vips as a table a person can read (the CLI's status and the MBean's list). */
public final class VipTable {

  private static final List<String> HEADER = List.of("GROUP", "MODE", "ADDRESSES", "HOLDER", "EPOCH", "SINCE", "LAST TAKEOVER");

  private VipTable() {}

  public static List<List<String>> rows(List<Map<String, Object>> groups) {
    List<List<String>> rows = new ArrayList<>();
    for (Map<String, Object> g : groups) {
      Object last = g.get("lastTakeover");
      String takeover = last instanceof Map<?, ?> t ? t.get("path") + " " + t.get("from") + "->" + t.get("to") + " " + t.get("millis") + " ms" : "-";
      rows.add(List.of(str(g.get("group")), str(g.get("mode")), String.join(",", strings(g.get("addresses"))),
          str(g.get("holder")), str(g.get("epoch")), str(g.get("since")), takeover));
    }
    return rows;
  }

  public static String render(List<Map<String, Object>> groups) {
    List<List<String>> rows = new ArrayList<>();
    rows.add(HEADER);
    rows.addAll(rows(groups));
    int[] widths = new int[HEADER.size()];
    for (List<String> r : rows) for (int i = 0; i < r.size(); i++) widths[i] = Math.max(widths[i], r.get(i).length());
    StringBuilder out = new StringBuilder();
    for (List<String> r : rows) {
      for (int i = 0; i < r.size(); i++) {
        out.append(i == r.size() - 1 ? r.get(i) : String.format("%-" + (widths[i] + 2) + "s", r.get(i)));
      }
      out.append('\n');
    }
    return out.toString();
  }

  private static List<String> strings(Object list) {
    return list instanceof List<?> l ? l.stream().map(String::valueOf).toList() : List.of();
  }

  private static String str(Object value) {
    return value == null ? "-" : String.valueOf(value);
  }
}
