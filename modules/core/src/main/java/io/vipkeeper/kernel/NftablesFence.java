package io.vipkeeper.kernel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vipkeeper.driver.DriverException;
import io.vipkeeper.driver.KernelFence;
import io.vipkeeper.model.VipAddress;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link KernelFence} on nftables (see {@link NftFenceRules}). Lease ends come on the JVM's
 * monotonic clock, and the kernel takes a timeout counted from when it applies the transaction: a
 * JVM stalled between reading its clock and the call (starved of CPU, a cgroup quota) would make a
 * lease reach past its end by the stall, beside the next holder. So each lease transaction spends
 * a ticket put in just before the clock is read; it lives {@link #TICKET_MILLIS}, and the kernel
 * refuses the whole transaction once it ran out. A timeout therefore starts at most the ticket's
 * life (plus a tick) after the clock was read, and is cut by that much and a tick of rounding.
 */
public final class NftablesFence implements KernelFence {

  /** How long a ticket lives: far more than a call takes, little to cut off a lease. */
  static final long TICKET_MILLIS = 20;
  private static final int ATTEMPTS = 3;
  private static final Logger log = LoggerFactory.getLogger(NftablesFence.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private final Libnftables nft;
  private final NftFenceRules rules;
  private final LongSupplier clock;
  /** What a timeout is cut by: the ticket's life plus two ticks (the ticket's and the lease's rounding). */
  private final long cutNanos = TICKET_MILLIS * 1_000_000 + 2 * Jiffy.nanos();
  /** Runs between reading the clock and the lease transaction: a stall there, in tests. */
  private final Runnable beforeCommit;
  /** The IPs (and MACs) guarded now, so a lease is never extended for one already given up. */
  private final Set<String> guarded = new HashSet<>();

  private NftablesFence(Libnftables nft, NftFenceRules rules, LongSupplier clock, Runnable beforeCommit) {
    this.nft = nft;
    this.rules = rules;
    this.clock = clock;
    this.beforeCommit = beforeCommit;
  }

  /**
   * Installs a fresh fence on {@code device}. Addresses an earlier run guarded stay guarded (so
   * unleased) across the swap; they are returned for the caller to remove from the kernel.
   */
  public static Installed install(String device) {
    return install(device, () -> {});
  }

  static Installed install(String device, Runnable beforeCommit) {
    Libnftables nft = Libnftables.open();
    NftFenceRules rules = new NftFenceRules(device);
    List<String> left = guardedBy(nft, rules);
    try {
      nft.run(rules.install(left));
    } catch (DriverException e) {
      nft.close();
      throw new DriverException("cannot install the kernel fence on " + device + " (" + e.getMessage() + "); it needs Linux 5.16 or"
          + " later with nftables' netdev egress hook (CONFIG_NETFILTER_EGRESS) and CAP_NET_ADMIN; or set vipkeeper.kernel.fence = off");
    }
    NftablesFence fence = new NftablesFence(nft, rules, System::nanoTime, beforeCommit);
    fence.guarded.addAll(left);
    fence.warm();
    return new Installed(fence, left);
  }

  /** The fence and the addresses a previous run left guarded. */
  public record Installed(NftablesFence fence, List<String> leftovers) {}

  /** The IPs (and virtual MACs) {@code device}'s fence guards now (a running node's, or a killed one's). */
  public static List<String> guarded(String device) {
    try (Libnftables nft = Libnftables.open()) {
      return guardedBy(nft, new NftFenceRules(device));
    }
  }

  /** Removes {@code device}'s fence table, if any ({@code --release-all}). */
  public static void remove(String device) {
    try (Libnftables nft = Libnftables.open()) {
      nft.tryRun(new NftFenceRules(device).remove());
    }
  }

  private static List<String> guardedBy(Libnftables nft, NftFenceRules rules) {
    List<String> ips = new ArrayList<>();
    for (String set : List.of("vips4", "vips6", "vmacs")) {
      String out;
      try {
        out = nft.run("list set " + rules.table() + " " + set + "\n");
      } catch (DriverException e) {
        continue; // no table yet
      }
      try {
        for (JsonNode item : JSON.readTree(out).path("nftables")) {
          for (JsonNode elem : item.path("set").path("elem")) ips.add(normal(elem.isTextual() ? elem.asText() : elem.path("elem").path("val").asText()));
        }
      } catch (IOException e) {
        throw new DriverException("cannot read the fence's guarded set " + set + ": " + e.getMessage(), e);
      }
    }
    return ips;
  }

  /**
   * The first transaction of a JVM took 20 ms here (later ones 0.5 ms): in a claim, that was in the
   * clients' gap. One at start runs the element calls a claim runs, on 0.0.0.0, which is never
   * guarded (so no rule looks at its lease), and its unguard adds and deletes it in one transaction.
   */
  private void warm() {
    String nobody = "0.0.0.0";
    nft.tryRun(rules.ticket(TICKET_MILLIS));
    nft.tryRun(rules.spendTicket() + rules.lease(Map.of(nobody, 1000L)));
    nft.tryRun(rules.unguard(List.of(nobody)));
  }

  /** nft prints IPv6 compressed; {@link VipAddress#ip()} is Java's form: compare in one. MACs in lower case. */
  private static String normal(String key) {
    String lower = key.toLowerCase();
    if (NftFenceRules.Kind.of(lower) == NftFenceRules.Kind.MAC) return lower;
    return new VipAddress(key, key.contains(":") ? 128 : 32).ip();
  }

  @Override
  public synchronized void guard(Map<VipAddress, Long> untilNanos, Map<String, Long> macUntilNanos) {
    Map<String, Long> keyed = keyed(untilNanos, macUntilNanos);
    if (keyed.isEmpty()) return;
    apply(keyed, true);
    guarded.addAll(keyed.keySet());
  }

  @Override
  public synchronized void extend(Map<VipAddress, Long> untilNanos, Map<String, Long> macUntilNanos) {
    Map<String, Long> own = keyed(untilNanos, macUntilNanos);
    own.keySet().removeIf(key -> !guarded.contains(key));
    if (!own.isEmpty()) apply(own, false);
  }

  @Override
  public synchronized void unguard(List<VipAddress> addresses, List<String> macs) {
    List<String> keys = new ArrayList<>(addresses.stream().map(VipAddress::ip).toList());
    macs.forEach(mac -> keys.add(mac.toLowerCase()));
    if (keys.isEmpty()) return;
    nft.run(rules.unguard(keys));
    keys.forEach(guarded::remove);
  }

  /** Addresses by {@link VipAddress#ip()} and MACs in lower case, as the rules name them. */
  private static Map<String, Long> keyed(Map<VipAddress, Long> untilNanos, Map<String, Long> macUntilNanos) {
    Map<String, Long> keyed = new LinkedHashMap<>();
    untilNanos.forEach((a, until) -> keyed.put(a.ip(), until));
    macUntilNanos.forEach((mac, until) -> keyed.put(mac.toLowerCase(), until));
    return keyed;
  }

  /**
   * Ticket, clock, lease: a lease transaction that came too late after its ticket is refused whole
   * (the old lease stands) and made again with fresh timeouts.
   */
  private void apply(Map<String, Long> untilNanos, boolean guarding) {
    String refused = "";
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
      long asked = clock.getAsLong();
      nft.run(rules.ticket(TICKET_MILLIS));
      long read = clock.getAsLong();
      Map<String, Long> timeouts = timeouts(untilNanos, read);
      if (guarding && timeouts.values().stream().anyMatch(ms -> ms <= 0)) throw new DriverException("the lease ran out before the addresses were added");
      beforeCommit.run();
      try {
        nft.run(rules.spendTicket() + (guarding ? rules.guard(timeouts) : rules.lease(timeouts)));
        return;
      } catch (DriverException e) {
        refused = e.getMessage();
        long now = clock.getAsLong();
        log.info("the fence's lease transaction was refused {} ms after the ticket was asked for and {} ms after the clock was read"
            + " (a stall outlives the {} ms ticket; trying again): {}", (now - asked) / 1_000_000, (now - read) / 1_000_000, TICKET_MILLIS, refused);
      }
    }
    throw new DriverException("the lease transaction came more than " + TICKET_MILLIS + " ms after its ticket " + ATTEMPTS
        + " times (this JVM is starved or stalled), or was refused: " + refused);
  }

  /** Milliseconds each lease has left at {@code now}, rounded down, less the cut; 0 or less means none. */
  private Map<String, Long> timeouts(Map<String, Long> untilNanos, long now) {
    Map<String, Long> ms = new LinkedHashMap<>();
    untilNanos.forEach((a, until) -> ms.put(a, Math.max(0, (until - now - cutNanos) / 1_000_000)));
    return ms;
  }

  @Override
  public synchronized void close() {
    if (guarded.isEmpty()) nft.tryRun(rules.remove());
    nft.close();
  }
}
