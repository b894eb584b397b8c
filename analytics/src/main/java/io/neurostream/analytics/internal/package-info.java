/**
 * The analytics' processors, state codecs and store names: free to change, not for use outside
 * the module. Store names and value formats are persisted in changelog topics, so a change to them
 * needs a new format byte or a migration.
 */
package io.neurostream.analytics.internal;
