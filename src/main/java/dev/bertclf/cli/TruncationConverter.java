package dev.bertclf.cli;

import dev.bertclf.text.Truncation;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** {@code --truncation head|tail|head+tail}: the option's names are not Java's ({@code head+tail}). */
final class TruncationConverter implements ITypeConverter<Truncation> {
    @Override
    public Truncation convert(String value) {
        try {
            return Truncation.of(value);
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException(e.getMessage());
        }
    }
}
