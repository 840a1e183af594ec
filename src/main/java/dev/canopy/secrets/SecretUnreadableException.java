package dev.canopy.secrets;

/**
 * A ciphertext did not open: it was altered, belongs to another owner, table or record, or its data key is
 * gone. The message names the binding, never any secret material.
 */
public class SecretUnreadableException extends RuntimeException {

    private final SecretBinding binding;

    public SecretUnreadableException(SecretBinding binding, String reason) {
        super("The secret of " + binding.table() + " record " + binding.recordId() + " ("
                + (binding.isPlatform() ? "platform" : "tenant " + binding.ownerId()) + ") cannot be opened: "
                + reason);
        this.binding = binding;
    }

    /** The binding that was asked for. */
    public SecretBinding binding() {
        return binding;
    }
}
