package io.vipkeeper.config;

import io.vipkeeper.pcap.GratuitousArp;
import java.time.Duration;
import java.util.List;

/**
 * How a claim is announced: {@code count} rounds, {@code interval} apart, of every form; the same
 * burst again after {@code secondBurstDelay}; one round every {@code refreshInterval} while held.
 * A zero delay or interval turns that part off. Frames are paced to {@code maxFramesPerSecond} after
 * a burst of {@code maxBurst}. A virtual MAC is also taught to switches with a non-ARP frame every
 * {@code learningInterval}; {@code verifyAfter} a claim, the other nodes are asked whether its
 * gratuitous ARP reached them; {@code tellNeighbours}: hosts known to talk to the VIP are told
 * directly too.
 */
public record AnnounceSettings(int count, Duration interval, List<GratuitousArp.Form> forms, Duration secondBurstDelay,
    Duration refreshInterval, int maxFramesPerSecond, int maxBurst, Duration learningInterval, Duration verifyAfter,
    boolean tellNeighbours) {}
