package io.vipkeeper.kernel;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import io.vipkeeper.driver.DriverException;

/**
 * libnftables in-process through JNA: one netlink transaction per call, no fork (forking nft cost
 * ~88 ms on a busy 2-core host, too slow for a renewal every 100 ms). Not thread-safe; the context
 * belongs to the network namespace of the thread that made it.
 */
final class Libnftables implements AutoCloseable {

  private interface Native_ extends Library {
    Pointer nft_ctx_new(int flags);
    void nft_ctx_free(Pointer ctx);
    int nft_ctx_buffer_output(Pointer ctx);
    int nft_ctx_buffer_error(Pointer ctx);
    String nft_ctx_get_output_buffer(Pointer ctx);
    String nft_ctx_get_error_buffer(Pointer ctx);
    void nft_ctx_output_set_flags(Pointer ctx, int flags);
    int nft_run_cmd_from_buffer(Pointer ctx, String buffer);
  }

  private static final int NFT_CTX_OUTPUT_JSON = 1 << 4;
  private final Native_ lib;
  private final Pointer ctx;

  private Libnftables(Native_ lib, Pointer ctx) {
    this.lib = lib;
    this.ctx = ctx;
  }

  /** Loads libnftables.so.1; the message says what to install when it is missing. */
  static Libnftables open() {
    Native_ lib;
    try {
      lib = Native.load(System.getProperty("vipkeeper.libnftables", "nftables"), Native_.class);
    } catch (UnsatisfiedLinkError e) {
      throw new DriverException("the kernel fence needs libnftables.so.1, which is missing (" + e.getMessage().lines().findFirst().orElse("")
          + "): apt-get install nftables (libnftables1), or set vipkeeper.kernel.fence = off to run without it");
    }
    Pointer ctx = lib.nft_ctx_new(0);
    if (ctx == null) throw new DriverException("nft_ctx_new failed: libnftables could not make a context");
    lib.nft_ctx_buffer_output(ctx);
    lib.nft_ctx_buffer_error(ctx);
    lib.nft_ctx_output_set_flags(ctx, NFT_CTX_OUTPUT_JSON);
    return new Libnftables(lib, ctx);
  }

  /** Runs {@code commands} as one transaction; returns the output (JSON for list commands). */
  String run(String commands) {
    int rc = lib.nft_run_cmd_from_buffer(ctx, commands);
    if (rc != 0) {
      String error = lib.nft_ctx_get_error_buffer(ctx);
      throw new DriverException("nftables refused the fence update: " + (error == null ? "rc " + rc : error.strip()));
    }
    String out = lib.nft_ctx_get_output_buffer(ctx);
    return out == null ? "" : out;
  }

  /** Like {@link #run} but reports failure as false (a table that does not exist yet). */
  boolean tryRun(String commands) {
    int rc = lib.nft_run_cmd_from_buffer(ctx, commands);
    lib.nft_ctx_get_error_buffer(ctx);
    lib.nft_ctx_get_output_buffer(ctx);
    return rc == 0;
  }

  @Override
  public void close() {
    lib.nft_ctx_free(ctx);
  }
}
