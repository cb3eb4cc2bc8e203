package dev.bertclf.runtime;

/** The build's version, from the jar manifest (Maven fills it in); "dev" when run from classes. */
public final class Version {
    private Version() {}

    public static String get() {
        String v = Version.class.getPackage().getImplementationVersion();
        return v != null ? v : "dev";
    }
}
