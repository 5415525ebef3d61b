package io.vipkeeper;

/**
 * Text that came from outside (a request path, a certificate's name, a header) made safe to log
 * or echo: control characters (newlines that would forge a log line, terminal escapes) become
 * {@code ?}, and it is cut at 200 characters.
 */
public final class LogSafe {

  private static final int MAX = 200;

  private LogSafe() {}

  public static String of(String text) {
    if (text == null) return "null";
    StringBuilder out = new StringBuilder(Math.min(text.length(), MAX + 1));
    for (int i = 0; i < text.length() && out.length() < MAX; i++) {
      char c = text.charAt(i);
      out.append(Character.isISOControl(c) || Character.getType(c) == Character.FORMAT ? '?' : c);
    }
    return text.length() > MAX ? out + "…" : out.toString();
  }
}
