import { type Connection, type Model, Schema, type Types } from 'mongoose';

export interface UserRecord {
  _id: Types.ObjectId;
  fullName: string;
  username: string;
  gender: 'male' | 'female';
  profilePic: string;
  createdAt: Date;
  /** Lower-cased username, full name and their word starts, for indexed prefix search (`searchTerms`). */
  searchTerms: string[];
  /** `occurredAt` of the event that last wrote this record: older events never overwrite it. */
  sourceOccurredAt: Date;
}

const userSchema = new Schema<UserRecord>(
  {
    _id: { type: Schema.Types.ObjectId, required: true },
    fullName: { type: String, required: true },
    username: { type: String, required: true },
    gender: { type: String, enum: ['male', 'female'], required: true },
    profilePic: { type: String, required: true },
    createdAt: { type: Date, required: true },
    searchTerms: { type: [String], default: undefined },
    sourceOccurredAt: { type: Date, required: true },
  },
  { collection: 'users', versionKey: false, strict: 'throw', strictQuery: true },
);
userSchema.index({ fullName: 1, _id: 1 });
userSchema.index({ username: 1 });
userSchema.index({ searchTerms: 1 });

export type UserModel = Model<UserRecord>;

/** Register the users model on `connection` (each service has its own connection and models). */
export function registerUserModel(connection: Connection): UserModel {
  return connection.model<UserRecord>('User', userSchema);
}
