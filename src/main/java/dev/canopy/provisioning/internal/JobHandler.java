package dev.canopy.provisioning.internal;

import java.time.Instant;

/** Executes the jobs of one kind. */
interface JobHandler {

    /** What became of an attempt. */
    sealed interface Outcome {

        /** Finished: the job leaves the queue. */
        record Done() implements Outcome {
        }

        /** Failed in a way another attempt may mend: retried with backoff, or exhausted. */
        record Retry(String error) implements Outcome {
        }

        /** Nothing to do until then (a deadline), or until something moves the job earlier. */
        record WaitUntil(Instant at) implements Outcome {
        }
    }

    String kind();

    /** One attempt. The lease says when another worker may have taken the job over: stop then. */
    Outcome attempt(Job job, JobLease lease);

    /** The job failed its last attempt (or its worker died once too often): record the end. */
    void exhausted(Job job, String error);
}
