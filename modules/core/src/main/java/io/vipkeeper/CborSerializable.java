package io.vipkeeper;

/** Marker for every message that crosses nodes; bound to Jackson CBOR in reference.conf. */
public interface CborSerializable {}
