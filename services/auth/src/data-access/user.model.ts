import { type Connection, type Model, Schema, type Types } from 'mongoose';
import { GENDERS, type Gender } from '../domain/user.js';

/** The stored account. The `event*` fields are this document's outbox entry for `user.registered`. */
export interface UserDocument {
  _id: Types.ObjectId;
  fullName: string;
  username: string;
  // Unique key: usernames are unique regardless of case ("Alice" blocks "alice").
  usernameLower: string;
  password: string;
  gender: Gender;
  profilePic: string;
  eventId: string;
  eventOccurredAt: Date;
  eventPending: boolean;
  createdAt: Date;
  updatedAt: Date;
}

/** The value the unique index is built on. */
export function usernameKey(username: string): string {
  return username.trim().toLowerCase();
}

const userSchema = new Schema<UserDocument>(
  {
    fullName: { type: String, required: true },
    username: { type: String, required: true },
    usernameLower: { type: String, required: true },
    password: { type: String, required: true },
    gender: { type: String, enum: GENDERS, required: true },
    profilePic: { type: String, required: true },
    eventId: { type: String, required: true },
    eventOccurredAt: { type: Date, required: true },
    eventPending: { type: Boolean, required: true },
  },
  { collection: 'users', timestamps: true, versionKey: false, strict: 'throw', strictQuery: true },
);
userSchema.index({ usernameLower: 1 }, { unique: true, name: 'usernameLower_unique' });
// The outbox relay scans for accounts whose event has not been confirmed yet.
userSchema.index({ eventPending: 1, _id: 1 }, { name: 'eventPending_scan' });

export type UserModel = Model<UserDocument>;

/** Registers the model on `connection` (each service owns its connection; nothing global). */
export function createUserModel(connection: Connection): UserModel {
  return connection.model<UserDocument>('User', userSchema);
}
