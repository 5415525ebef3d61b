package io.vipkeeper.driver;

/** A host on the segment that talks to a VIP: its address and, when seen, its MAC ("" unknown). */
public record Neighbour(String ip, String mac) {}
