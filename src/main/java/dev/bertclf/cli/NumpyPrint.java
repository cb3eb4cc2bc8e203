package dev.bertclf.cli;

import java.util.Locale;

/** NumPy-style short array printing, so our output reads like the tutorial's. */
final class NumpyPrint {
    private NumpyPrint() {}

    static String head(int[] a, int n) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < Math.min(n, a.length); i++)
            sb.append(i == 0 ? "" : " ").append(a[i]);
        return sb.append(']').toString();
    }

    static String head(float[] a, int from, int n) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = from; i < Math.min(from + n, a.length); i++) {
            sb.append(i == from ? "" : " ").append(String.format(Locale.ROOT, "%.8f", a[i]));
        }
        return sb.append(" ...]").toString();
    }
}
