import { type Connection, type Model, Schema, type Types } from 'mongoose';

/** Only what this service needs to know about a user: that they exist. */
export interface KnownUserRecord {
  _id: Types.ObjectId;
  registeredAt: Date;
}

const knownUserSchema = new Schema<KnownUserRecord>(
  {
    _id: { type: Schema.Types.ObjectId, required: true },
    registeredAt: { type: Date, required: true },
  },
  { collection: 'knownUsers', versionKey: false, strict: 'throw', strictQuery: true },
);

export type KnownUserModel = Model<KnownUserRecord>;

export function registerKnownUserModel(connection: Connection): KnownUserModel {
  return connection.model<KnownUserRecord>('KnownUser', knownUserSchema);
}
