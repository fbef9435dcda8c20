import type { Connection, Model, Schema } from 'mongoose';

/**
 * Returns a function that gives the model bound to a given connection, registering it on first use.
 * Models are per connection because apps (and tests) own their connections.
 */
export function defineModel<T>(name: string, schema: Schema<T>): (connection: Connection) => Model<T> {
  return (connection) => (connection.models[name] as Model<T> | undefined) ?? connection.model<T>(name, schema);
}
