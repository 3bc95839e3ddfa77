import { Controller } from '@nestjs/common';
@Controller('api/v1/certificates')
export class CertificatesController {}
