package io.vipkeeper;

/**
 * This node started ({@code held}) or stopped holding a group: what an embedding service
 * subscribes to, e.g. to accept writes only while it holds the VIP.
 */
public record OwnershipChanged(String group, boolean held, long epoch, String reason) {}
