package io.vipkeeper.driver;

/** A NIC operation failed; the message names what went wrong and how to fix it. */
public final class DriverException extends RuntimeException {
  public DriverException(String message) {
    super(message);
  }

  public DriverException(String message, Throwable cause) {
    super(message, cause);
  }
}
