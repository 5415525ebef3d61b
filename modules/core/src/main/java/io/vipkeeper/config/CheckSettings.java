package io.vipkeeper.config;

import java.time.Duration;

/** The health check command ("" = none), its pace, time limit and fall/rise counts. */
public record CheckSettings(String command, Duration interval, Duration timeout, int fall, int rise) {}
