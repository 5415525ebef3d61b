package io.vipkeeper.config;

import io.vipkeeper.pcap.GratuitousArp;
import java.time.Duration;
import java.util.List;

/** How a claim is announced: {@code count} rounds, {@code interval} apart, of every form. */
public record AnnounceSettings(int count, Duration interval, List<GratuitousArp.Form> forms) {}
