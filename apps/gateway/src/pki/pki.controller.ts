import { Controller } from '@nestjs/common';
@Controller('pki')
export class PkiController {}
