/**
 * Scoring a table file with a trained model ({@code predict --input}): rows streamed in batches from CSV, TSV or
 * JSON Lines, classified, and written with every input column kept and the prediction columns added, through a
 * partial file renamed when complete and a resume marker that lets an interrupted run continue. Memory is bounded
 * by the batch, never by the file.
 */
package dev.bertclf.score;
