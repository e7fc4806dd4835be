/**
 * NestJS on its Fastify adapter for the `api` / `api-db` workloads, as its documentation
 * has it: a controller, a DTO class whose properties carry class-validator's decorators, and
 * the global `ValidationPipe` (`whitelist`: unknown properties dropped; class-transformer
 * makes the DTO). Logger off. `argv[3]`: the workload; `api-db` inserts with a prepared
 * `node:sqlite` statement in an injectable service.
 *
 * Node runs TypeScript by stripping types and cannot run decorators, so they are applied
 * here by hand: each decorator is a function called on the class, the prototype and the
 * property, exactly what TypeScript's compiled `__decorate` does, and the parameter type
 * Nest reads (`design:paramtypes`) is set as `emitDecoratorMetadata` would.
 */
import 'reflect-metadata';
import { DatabaseSync } from 'node:sqlite';
import { Body, Controller, HttpCode, Inject, Injectable, Module, Post, ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import {
  ArrayMaxSize,
  IsBoolean,
  IsDateString,
  IsEmail,
  IsIn,
  IsInt,
  IsNumber,
  IsString,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { announce, HOST, portFromArgs } from '../common.ts';
import { apiWorkloadFrom, benchDatabasePath, CREATE_TABLE, ROLES } from './spec.ts';

const workload = apiWorkloadFrom(process.argv[3]);

/** Applies property decorators, as `@A() @B() name: T;` would. */
function decorateProperty(target: object, name: string, ...decorators: PropertyDecorator[]): void {
  for (const decorator of decorators.reverse()) decorator(target, name);
}

/** Applies method decorators (and parameter types), as `@A() method(@P() x: T)` would. */
function decorateMethod(
  target: object,
  name: string,
  paramTypes: unknown[],
  params: Array<[number, ParameterDecorator]>,
  ...decorators: MethodDecorator[]
): void {
  Reflect.defineMetadata('design:paramtypes', paramTypes, target, name);
  for (const [index, decorator] of params) decorator(target, name, index);
  const descriptor = Object.getOwnPropertyDescriptor(target, name) as PropertyDescriptor;
  for (const decorator of decorators.reverse()) decorator(target, name, descriptor);
}

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- ClassDecorator's own parameter type
function decorateClass<T extends Function>(
  cls: T,
  paramTypes: unknown[],
  ...decorators: ClassDecorator[]
): T {
  Reflect.defineMetadata('design:paramtypes', paramTypes, cls);
  for (const decorator of decorators.reverse()) decorator(cls);
  return cls;
}

/** The body: the 10 fields and their rules (`api-db` does not read `id`). */
class CreatePersonDto {
  id!: number;
  name!: string;
  email!: string;
  age!: number;
  score!: number;
  birthday!: string;
  active!: boolean;
  role!: string;
  tags!: string[];
  bio!: string;
}
const dto = CreatePersonDto.prototype;
if (workload === 'api') decorateProperty(dto, 'id', IsInt(), Min(1));
decorateProperty(dto, 'name', IsString(), MaxLength(100));
decorateProperty(dto, 'email', IsEmail());
decorateProperty(dto, 'age', IsInt(), Min(0), Max(150));
decorateProperty(dto, 'score', IsNumber(), Min(0), Max(100));
decorateProperty(dto, 'birthday', IsDateString({ strict: true }));
decorateProperty(dto, 'active', IsBoolean());
decorateProperty(dto, 'role', IsIn([...ROLES]));
decorateProperty(dto, 'tags', IsString({ each: true }), MaxLength(20, { each: true }), ArrayMaxSize(10));
decorateProperty(dto, 'bio', IsString(), MaxLength(500));

/** `api-db`'s inserts. */
class PeopleService {
  readonly #insert;
  constructor() {
    const db = new DatabaseSync(benchDatabasePath('nest'));
    db.exec('PRAGMA journal_mode = WAL');
    db.exec(CREATE_TABLE);
    this.#insert = db.prepare(
      'INSERT INTO person (name, email, age, score, birthday, active, role, tags, bio) ' +
        'VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id',
    );
  }

  create(p: CreatePersonDto) {
    const row = this.#insert.get(
      p.name,
      p.email,
      p.age,
      p.score,
      p.birthday,
      p.active ? 1 : 0,
      p.role,
      JSON.stringify(p.tags),
      p.bio,
    ) as { id: number };
    const { id: _ignored, ...fields } = p;
    return { id: row.id, ...fields };
  }
}
decorateClass(PeopleService, [], Injectable());

class PeopleController {
  readonly people: PeopleService | null;
  constructor(people: PeopleService | null) {
    this.people = people;
  }

  create(body: CreatePersonDto) {
    return this.people === null ? body : this.people.create(body);
  }
}
decorateMethod(PeopleController.prototype, 'create', [CreatePersonDto], [[0, Body()]], Post(), HttpCode(201));

class AppModule {}
if (workload === 'api') {
  decorateClass(PeopleController, [Object], Controller('people'));
  Inject('NO_DB')(PeopleController, undefined as never, 0);
  decorateClass(
    AppModule,
    [],
    Module({ controllers: [PeopleController], providers: [{ provide: 'NO_DB', useValue: null }] }),
  );
} else {
  decorateClass(PeopleController, [PeopleService], Controller('people'));
  decorateClass(AppModule, [], Module({ controllers: [PeopleController], providers: [PeopleService] }));
}

const app = await NestFactory.create<NestFastifyApplication>(
  AppModule,
  new FastifyAdapter({ logger: false, routerOptions: { ignoreTrailingSlash: true } }),
  {
    logger: false,
  },
);
app.useGlobalPipes(new ValidationPipe({ whitelist: true }));
await app.listen(portFromArgs(), HOST);
const address = app.getHttpServer().address();
if (address === null || typeof address === 'string') throw new Error('nest did not bind a TCP port');
announce(address.port, () => app.close());
